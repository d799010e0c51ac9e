"""The list answer every collection gives: `{"data": [...], "has_more": bool}`, newest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Response
from pydantic import BaseModel, TypeAdapter

from shared.db.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from shared.text import text

T = TypeVar("T")

Limit = Annotated[int, Query(description=f"How many to return, 1 to {MAX_LIMIT}.")]
StartingAfter = Annotated[
    text(max_length=64, strip=False) | None, Query(description="The id of the last object of the previous page.")
]


@dataclass(frozen=True)
class PageAsked:
    """Which page a list request asks for: checked by the pagination (shared/db/pagination.py)."""

    limit: int
    starting_after: str | None

    def kwargs(self) -> dict[str, Any]:
        return {"limit": self.limit, "starting_after": self.starting_after}


def _page_asked(limit: Limit = DEFAULT_LIMIT, starting_after: StartingAfter = None) -> PageAsked:
    return PageAsked(limit, starting_after)


# Every list route's `?limit=&starting_after=`, the same way.
PageQuery = Annotated[PageAsked, Depends(_page_asked)]


class ListOut(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool


M = TypeVar("M", bound=BaseModel)


def listed(item: type[M], page: Page, build: Callable[[Any], M] | None = None) -> ListOut[M]:
    """A page of rows answered as `ListOut[item]`, each row made by `build` (by default read from its
    attributes, `item.model_validate`)."""
    make = build or item.model_validate
    return ListOut[item](data=[make(row) for row in page.data], has_more=page.has_more)  # type: ignore[valid-type]


@cache
def _list_adapter(item: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(ListOut[item])


def list_response(item: type[BaseModel], page: Page) -> Response:
    """A page of plain rows answered as `ListOut[item]`, validated and serialized once.

    For the busiest lists (their rows come from `paginate_rows`). Returning models instead
    makes FastAPI validate and serialize them again through the route's `response_model`;
    a Response is sent as it is. Keep `response_model=ListOut[item]` on the route: it is
    what the OpenAPI description says, and this builds exactly that model."""
    adapter = _list_adapter(item)
    body = adapter.dump_json(adapter.validate_python({"data": page.data, "has_more": page.has_more}))
    return Response(body, media_type="application/json")


__all__ = ["DEFAULT_LIMIT", "Limit", "ListOut", "PageQuery", "StartingAfter", "list_response", "listed"]
