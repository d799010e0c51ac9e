"""Cursor pagination, newest first: `?limit=&starting_after=<id>` → `{data, has_more}`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

from shared.errors import NotFound, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page:
    data: list[Any]
    has_more: bool


def parse_cursor(value: str | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("No such object to page after.", code="resource_missing", param="starting_after") from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}.", code="invalid_limit", param="limit")
    return limit


def paginate(session: Session, stmt: Select, model: Any, *, limit: int, starting_after: str | None) -> Page:
    """`stmt` must already be scoped to the caller's group; the cursor row is looked up within it."""
    limit = check_limit(limit)
    cursor_id = parse_cursor(starting_after)
    if cursor_id is not None:
        cursor = session.execute(
            stmt.with_only_columns(model.created_at, model.id).where(model.id == cursor_id).order_by(None)
        ).first()
        if cursor is None:
            raise NotFound("No such object to page after.", code="resource_missing", param="starting_after")
        stmt = stmt.where(tuple_(model.created_at, model.id) < tuple_(cursor.created_at, cursor.id))
    rows = list(session.scalars(stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)))
    return Page(data=rows[:limit], has_more=len(rows) > limit)


__all__ = ["Page", "paginate", "check_limit", "DEFAULT_LIMIT", "MAX_LIMIT"]
