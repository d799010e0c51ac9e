"""Ids are opaque strings to callers: one that is not a UUID is simply unknown (404), not malformed (422)."""

from __future__ import annotations

import uuid

from shared.errors import NotFound


def parse_id(value: str | uuid.UUID | None, what: str, param: str | None = None) -> uuid.UUID:
    """`what` names the object for the clerk ("client", "billing rate")."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound(f"No such {what}.", code="resource_missing", param=param) from None
