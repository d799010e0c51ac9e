"""What counts as a leaked secret, and where to look for one: text, a database, a run's captured output."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import psycopg
from psycopg import sql

from tests.factories import CLIENT_PASSWORD, OPERATOR_PASSWORD, STAFF_PASSWORD

# Shapes of secrets, whatever their value. Long enough that prose ("starts with whsec_") is not one.
STRIPE_SECRET = re.compile(r"\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{8,}")
WEBHOOK_SECRET = re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]{8,}")
CARD_NUMBER = re.compile(r"(?<!\d)(?:4242424242424242|4000\d{12}|5555555555554444|378282246310005)(?!\d)")
BEARER = re.compile(
    r"\bcp[tkiru]_[A-Za-z0-9_-]{40,}"
)  # access tokens (cpt_), API keys (cpk_), emailed links (cpi_, cpr_, a reminder's unsubscribe cpu_)
# Pay links' tokens (cpl_): only ever in the email that carries the link — no log, no answer, no row.
PAY_LINK = re.compile(r"\bcpl_[A-Za-z0-9_-]{40,}")
# Passwords the factories give users without sending them over HTTP (those sent are captured).
KNOWN_PASSWORDS = [STAFF_PASSWORD, CLIENT_PASSWORD, OPERATOR_PASSWORD, "builder-password-1"]


@dataclass(frozen=True)
class Finding:
    where: str
    what: str
    sample: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} ({self.sample})"


def _redacted(value: str) -> str:
    return value[:10] + "…" if len(value) > 10 else value


def secrets_in(
    text: str, where: str, known: Iterable[str] = (), *, bearer: bool = True, pay_links: bool = True
) -> Iterator[Finding]:
    for name, pattern in (
        ("Stripe secret key", STRIPE_SECRET),
        ("webhook secret", WEBHOOK_SECRET),
        ("card number", CARD_NUMBER),
    ):
        for match in pattern.finditer(text):
            yield Finding(where, name, _redacted(match.group()))
    if bearer:
        for match in BEARER.finditer(text):
            yield Finding(where, "access token or API key", _redacted(match.group()))
    if pay_links:
        for match in PAY_LINK.finditer(text):
            yield Finding(where, "pay link token", _redacted(match.group()))
    for secret in known:
        if secret and secret in text:
            yield Finding(where, "a secret the tests used (password or key)", _redacted(secret))


def database_text(dsn: str) -> Iterator[tuple[str, str]]:
    """(table.column, value) for every non-null value of every column of every table, as text —
    bytea decoded byte for byte, so plaintext stored as bytes is found too."""
    conninfo = dsn.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        for table in tables:
            cursor = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            columns = [c.name for c in cursor.description or []]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        yield f"{table}.{column}", bytes(value).decode("latin-1")
                    else:
                        yield f"{table}.{column}", str(value)
