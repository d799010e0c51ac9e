from alembic import context
from sqlalchemy import create_engine, pool

import shared.db.models  # noqa: F401  (registers every table)
from shared.config import database_settings
from shared.db.base import Base

target_metadata = Base.metadata


def _url() -> str:
    # The URL the caller gave (shared.db.migrate.alembic_config sets it, from DATABASE_URL by default);
    # ignoring it would migrate whatever database the environment names instead.
    return context.config.get_main_option("sqlalchemy.url") or database_settings().url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
