"""Settings, one class per concern, read from the environment.

`make run` writes nothing here: the dev stack exports DATABASE_URL / REDIS_URL
for the processes it starts, and `var/stack.env` so the `clinicpay` command
finds the same embedded services without extra configuration.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_ENV_FILE = Path(os.environ.get("CLINICPAY_STACK_ENV", REPO_ROOT / "var" / "stack.env"))

# Values that must never reach production.
_DEV_PLACEHOLDERS = {"", "dev-only-change-me"}


class _Base(BaseSettings):
    model_config = SettingsConfigDict(env_file=STACK_ENV_FILE, extra="ignore")


class AppSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="CLINICPAY_", env_file=STACK_ENV_FILE, extra="ignore")

    environment: str = "development"  # development | test | production
    # Where the receiver is reachable from Stripe; shown to admins as their webhook URL.
    public_webhook_base_url: str = "http://127.0.0.1:8001"
    # Where clients sign in to pay; printed on every invoice PDF.
    public_portal_url: str = "http://127.0.0.1:8000/portal/"
    # Fernet keys, comma separated, newest first; old keys keep decrypting during rotation.
    secret_keys: str = "dev-only-change-me"
    access_token_ttl_seconds: int = 3600
    login_max_failures: int = 5
    login_window_seconds: int = 900

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check_for_production(self) -> None:
        if self.is_production and self.secret_keys.strip() in _DEV_PLACEHOLDERS:
            raise RuntimeError("CLINICPAY_SECRET_KEYS must be set to real Fernet keys in production")


class DatabaseSettings(_Base):
    url: str = Field(default="postgresql+psycopg://postgres@127.0.0.1:5432/clinicpay", alias="DATABASE_URL")
    pool_size: int = Field(default=10, alias="DATABASE_POOL_SIZE")

    @field_validator("url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Accept the plain URLs people paste (postgres://, postgresql://) and use psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix):]
        return value


class BrokerSettings(_Base):
    url: str = Field(default="redis://127.0.0.1:6379/0", alias="REDIS_URL")


class StripeSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="CLINICPAY_STRIPE_", env_file=STACK_ENV_FILE, extra="ignore")

    # None means Stripe itself. Development and tests point this at localstripe.
    api_base: str | None = None
    # Where the browser loads Stripe.js from.
    js_url: str = "https://js.stripe.com/v3/"
    timeout_seconds: float = 10.0
    webhook_tolerance_seconds: int = 300
    webhook_max_body_bytes: int = 256 * 1024


@lru_cache
def app_settings() -> AppSettings:
    return AppSettings()


@lru_cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def broker_settings() -> BrokerSettings:
    return BrokerSettings()


@lru_cache
def stripe_settings() -> StripeSettings:
    return StripeSettings()


def clear_settings_cache() -> None:
    for fn in (app_settings, database_settings, broker_settings, stripe_settings):
        fn.cache_clear()
