"""Run Alembic migrations from code (the CLI, test fixtures, the dev stack)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from shared.config import REPO_ROOT, DatabaseSettings, database_settings


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "shared" / "db" / "migrations"))
    # Through the settings class, so a plain postgresql:// URL gets the psycopg driver as everywhere else.
    url = DatabaseSettings(DATABASE_URL=url).url if url else database_settings().url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")
