"""Cursor pagination, newest first: `?limit=&starting_after=<id>` → `{data, has_more}`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Result, Select, tuple_
from sqlalchemy.orm import Session

from shared.errors import NotFound, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page:
    data: list[Any]
    has_more: bool

    @classmethod
    def of(cls, rows: list[Any], limit: int) -> Page:
        """From up to `limit + 1` rows read: the extra row only says there is more."""
        return cls(data=rows[:limit], has_more=len(rows) > limit)


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


def columns_for(model: Any, schema: type[BaseModel]) -> list[Any]:
    """The columns of `model`'s table that `schema` shows, for a list read as plain rows (`paginate_rows`)."""
    table = model.__table__.c
    return [table[name] for name in schema.model_fields if name in table]


def after_cursor(session: Session, scope: Select, model: Any, cursor_id: uuid.UUID) -> ColumnElement[bool]:
    """The condition "older than the cursor row", newest first. The cursor row is looked up within
    `scope` (a statement already scoped to the caller's group, selecting `model`): another practice's
    id, or a row the list would not show, is no cursor (404)."""
    cursor = session.execute(
        scope.with_only_columns(model.created_at, model.id).where(model.id == cursor_id).order_by(None)
    ).first()
    if cursor is None:
        raise NotFound("No such object to page after.", code="resource_missing", param="starting_after")
    return tuple_(model.created_at, model.id) < tuple_(cursor.created_at, cursor.id)


def _after_cursor(session: Session, stmt: Select, model: Any, starting_after: str | None) -> Select:
    cursor_id = parse_cursor(starting_after)
    if cursor_id is None:
        return stmt
    return stmt.where(after_cursor(session, stmt, model, cursor_id))


def _newest_first(stmt: Select, model: Any, limit: int) -> Select:
    return stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)


def paginate(session: Session, stmt: Select, model: Any, *, limit: int, starting_after: str | None) -> Page:
    """A page of ORM objects: `stmt` selects `model`, scoped to the caller's group."""
    limit = check_limit(limit)
    stmt = _after_cursor(session, stmt, model, starting_after)
    rows = list(session.scalars(_newest_first(stmt, model, limit)))
    return Page.of(rows, limit)


def paginate_rows(session: Session, stmt: Select, model: Any, *, limit: int, starting_after: str | None) -> Page:
    """A page of plain rows (dicts of column name to value): `stmt` selects columns of `model` (and of
    what it joins), scoped to the caller's group. For the busiest lists: reading columns skips building
    ORM objects, which cost the Invoiced tab more CPU than everything else it did."""
    limit = check_limit(limit)
    stmt = _after_cursor(session, stmt, model, starting_after)
    rows = as_dicts(session.execute(_newest_first(stmt, model, limit)))
    return Page.of(rows, limit)


def as_dicts(result: Result) -> list[dict[str, Any]]:
    """Rows as plain dicts: pydantic validates a page of dicts ~3x faster than of RowMappings."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "after_cursor",
    "as_dicts",
    "check_limit",
    "columns_for",
    "paginate",
    "paginate_rows",
]
