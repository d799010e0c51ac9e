"""Connection settings for the receiver and relay, derived from the one DATABASE_URL.

That URL is written for SQLAlchemy + psycopg (`postgresql+psycopg://…`, possibly a
unix socket as `?host=/path`); asyncpg and plain psycopg want the driver-less form,
and asyncpg takes `connect_timeout` as an argument, not a query parameter.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shared.config import database_settings

DEFAULT_CONNECT_TIMEOUT = 5.0


def plain_dsn(url: str | None = None) -> str:
    url = url or database_settings().url
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith(("postgresql", "postgres")) else url


def asyncpg_dsn(url: str | None = None) -> tuple[str, float]:
    """(dsn, connect timeout) for asyncpg."""
    parts = urlsplit(plain_dsn(url))
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    timeout = float(query.pop("connect_timeout", DEFAULT_CONNECT_TIMEOUT) or DEFAULT_CONNECT_TIMEOUT)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment)), timeout
