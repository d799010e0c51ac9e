"""Run Alembic migrations from code (the CLI, test fixtures, the dev stack)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from shared.config import REPO_ROOT, database_settings


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "shared" / "db" / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or database_settings().url).replace("%", "%%"))
    return config


def upgrade_to_head(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")
