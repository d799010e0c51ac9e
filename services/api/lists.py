"""The list answer every collection gives: `{"data": [...], "has_more": bool}`, newest first."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.db.pagination import DEFAULT_LIMIT, MAX_LIMIT

T = TypeVar("T")

Limit = Annotated[int, Query(description=f"How many to return, 1 to {MAX_LIMIT}.")]
StartingAfter = Annotated[str | None, Query(description="The id of the last object of the previous page.")]


class ListOut(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool


__all__ = ["DEFAULT_LIMIT", "Limit", "ListOut", "StartingAfter"]
