"""The schema the migrations build is the schema the models declare, and there is one head.

Several branches add migrations side by side; a merge that leaves two heads, or a model column no
migration creates (or the other way round), fails here instead of on a user's database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import shared.db.models  # noqa: F401  (every model on the metadata)
from shared.db.base import Base
from shared.db.engine import get_engine
from shared.db.migrate import alembic_config


def test_the_migrations_have_one_head_and_the_test_database_is_at_it():
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"more than one migration head: {heads} (re-chain the newest down_revision)"
    with get_engine().connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_the_migrated_schema_is_what_the_models_declare():
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "the models and the migrations disagree:\n" + "\n".join(map(str, differences))
