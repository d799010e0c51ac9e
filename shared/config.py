"""Settings, one class per concern, read from the environment.

`make run` writes nothing here: the dev stack exports DATABASE_URL / REDIS_URL
for the processes it starts, and `var/stack.env` so the `clinicpay` command
finds the same embedded services without extra configuration.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urljoin

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_ENV_FILE = Path(os.environ.get("CLINICPAY_STACK_ENV", REPO_ROOT / "var" / "stack.env"))

# Values that must never reach production.
_DEV_PLACEHOLDERS = {"", "dev-only-change-me"}


class _Base(BaseSettings):
    model_config = SettingsConfigDict(env_file=STACK_ENV_FILE, extra="ignore")


Environment = Literal["development", "test", "production"]


class AppSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="CLINICPAY_", env_file=STACK_ENV_FILE, extra="ignore")

    # Anything else refuses to start: a near miss ("prod", "Production ") must never run as
    # development with its placeholder key and its stand-in Stripe allowed.
    environment: Environment = "development"
    # Where the receiver is reachable from Stripe; shown to admins as their webhook URL.
    public_webhook_base_url: str = "http://127.0.0.1:8001"
    # Where clients sign in to pay; printed on every invoice PDF.
    public_portal_url: str = "http://127.0.0.1:8000/portal/"
    # Where mail programs reach the API: a reminder's one-click unsubscribe (its List-Unsubscribe header,
    # RFC 8058) is a POST to it. Unset: the origin of public_portal_url (the API serves the portal).
    public_api_url: str | None = None
    # Fernet keys, comma separated, newest first; old keys keep decrypting during rotation.
    secret_keys: str = "dev-only-change-me"
    access_token_ttl_seconds: int = 3600
    # Login throttling (services/api/rate_limit.py says why three counters): failures per account
    # from one address, per account from everywhere, per address over every account, in a window.
    login_max_failures: int = 5
    login_max_account_failures: int = 50
    login_max_address_failures: int = 20
    login_window_seconds: int = 900
    # Emailed sign-in links (shared/accounts/service.py): how long an invitation and a password reset
    # link work; and how many such emails one address, or one caller's IP, may ask for in the window
    # (counted like the sign-in failures, services/api/rate_limit.py).
    invitation_ttl_seconds: int = 7 * 24 * 3600
    password_reset_ttl_seconds: int = 3600
    account_email_max_per_address_and_ip: int = 5
    account_email_max_per_address: int = 10
    account_email_max_per_ip: int = 20
    account_email_window_seconds: int = 3600
    # Pay links (services/api/routes/pay.py): per address in a window, requests of any kind, and tokens
    # that open nothing (unknown, tampered, revoked). Counted in the login limiter's Redis.
    pay_link_max_requests: int = 120
    pay_link_max_failures: int = 10
    pay_link_window_seconds: int = 900
    # Request bodies (services/api/body_guard.py): the API's limit, which takes a 10,000-service
    # invoicing run (~400 KB of ids) and a practice logo, and how long a body may take to arrive.
    max_body_bytes: int = 2 * 1024 * 1024
    body_timeout_seconds: float = 20.0
    # The Redis the login counters live in; unset means the broker's (REDIS_URL).
    login_limit_redis_url: str | None = None
    # Where `make run`'s embedded SMTP server (and the tests') stores what arrives, for /dev/mailbox/
    # (development and test only; the API answers 404 there in production).
    dev_mailbox_dir: str = str(REPO_ROOT / "var" / "mailbox")

    @field_validator("environment", mode="before")
    @classmethod
    def _known_environment(cls, value: object) -> object:
        if value not in get_args(Environment):
            allowed = ", ".join(get_args(Environment))
            raise ValueError(f"CLINICPAY_ENVIRONMENT must be one of {allowed} (exactly); it is {value!r}")
        return value

    @model_validator(mode="after")
    def _no_placeholder_outside_development(self) -> AppSettings:
        # Every process refuses at its first read of the settings, the worker and the CLI too.
        if self.environment != "development" and self.secret_keys.strip() in _DEV_PLACEHOLDERS:
            raise ValueError(
                f"CLINICPAY_SECRET_KEYS must be set to real Fernet keys outside development "
                f"(CLINICPAY_ENVIRONMENT={self.environment})"
            )
        return self

    @property
    def api_url(self) -> str:
        """The API's public base, no trailing slash."""
        return (self.public_api_url or urljoin(self.public_portal_url, "/")).rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


class DatabaseSettings(_Base):
    url: str = Field(default="postgresql+psycopg://postgres@127.0.0.1:5432/clinicpay", alias="DATABASE_URL")
    pool_size: int = Field(default=10, alias="DATABASE_POOL_SIZE")

    @field_validator("url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Accept the plain URLs people paste (postgres://, postgresql://) and use psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
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


class SmtpSettings(_Base):
    """How the worker sends email: any provider's SMTP submission service.

    `CLINICPAY_SMTP_URL`: `smtp://host:587` (STARTTLS when the server offers it; `?starttls=required`
    refuses a server that does not) or `smtps://host:465` (TLS from the first byte). Credentials go in
    the URL (`smtp://user:password@host:587`, percent-encoded) or in CLINICPAY_SMTP_USERNAME /
    CLINICPAY_SMTP_PASSWORD; they are never logged."""

    model_config = SettingsConfigDict(env_prefix="CLINICPAY_SMTP_", env_file=STACK_ENV_FILE, extra="ignore")

    url: str = "smtp://127.0.0.1:1025"
    username: str | None = None
    password: str | None = None
    # The envelope sender and From address; the practice's name is its display name, its own
    # address (reply_to_email) the Reply-To.
    sender: str = "no-reply@clinicpay.localhost"
    timeout_seconds: float = 20.0


class PdfSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="CLINICPAY_PDF_", env_file=STACK_ENV_FILE, extra="ignore")

    # Where the TrueType fonts of invoice PDFs are (shared/invoicing/pdf_fonts.py): Debian's folder.
    fonts_dir: str = "/usr/share/fonts/truetype"


@lru_cache
def app_settings() -> AppSettings:
    return AppSettings()


def check_settings() -> AppSettings:
    """Every process's first step (API, receiver, relay, worker, CLI): settings that cannot be right
    stop it here, with the reason, before it serves or touches anything."""
    try:
        return app_settings()
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise SystemExit(f"clinicpay refuses to start: {reasons}") from None


@lru_cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def broker_settings() -> BrokerSettings:
    return BrokerSettings()


@lru_cache
def stripe_settings() -> StripeSettings:
    return StripeSettings()


@lru_cache
def pdf_settings() -> PdfSettings:
    return PdfSettings()


@lru_cache
def smtp_settings() -> SmtpSettings:
    return SmtpSettings()


def clear_settings_cache() -> None:
    for fn in (app_settings, database_settings, broker_settings, stripe_settings, pdf_settings, smtp_settings):
        fn.cache_clear()
