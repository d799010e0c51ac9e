"""The repository base: every repository is made `from_session`, and a practice's rows are read
through one tenant scope.

`PracticeRepository[Model]` is for a table whose rows belong to one practice (`group_id`):

- `scoped(group_id)` is THE tenant filter: a SELECT of the practice's rows, to narrow further;
- `get(group_id, id)` answers the row or None — also None for another practice's row;
- `get_or_404(group_id, id)` answers the row or raises NotFound ("No such client."): a request for
  another practice's id is told the same as for an id that never existed, so ids leak nothing;
- `list_page(group_id, limit=, starting_after=, **filters)` is the page of `list_stmt(group_id, **filters)`
  (the practice's rows, narrowed by the list's filters), newest first: the one cursor pagination every
  list answers with (shared/db/pagination.py). Routes never paginate a statement themselves.

Locking reads (`for_update=True`) re-read the row under the lock (`populate_existing`): what the
caller then changes is the committed state, not a copy loaded earlier in the request.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Generic, Self, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shared.db.ids import parse_id
from shared.db.pagination import Page, paginate
from shared.errors import NotFound

M = TypeVar("M")


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> Self:
        return cls(session)


class PracticeRepository(Repository, Generic[M]):
    model: ClassVar[Any]
    noun: ClassVar[str]  # for the clerk: "No such billing rate."
    param: ClassVar[str | None] = None  # the request field a 404 names, unless the caller says

    def scoped(self, group_id: uuid.UUID) -> Select[tuple[M]]:
        """The practice's rows: the one tenant filter every read of this table starts from."""
        return select(self.model).where(self.model.group_id == group_id)

    def get(self, group_id: uuid.UUID, row_id: uuid.UUID | str, *, for_update: bool = False) -> M | None:
        try:
            wanted = parse_id(row_id, self.noun)
        except NotFound:
            return None
        stmt = self.scoped(group_id).where(self.model.id == wanted)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(stmt)

    def get_or_404(
        self, group_id: uuid.UUID, row_id: uuid.UUID | str, *, param: str | None = None, for_update: bool = False
    ) -> M:
        param = param or self.param
        found = self.get(group_id, parse_id(row_id, self.noun, param), for_update=for_update)
        if found is None:
            raise NotFound(f"No such {self.noun}.", code="resource_missing", param=param)
        return found

    def list_stmt(self, group_id: uuid.UUID) -> Select[Any]:
        """The list's rows; a repository whose list has filters takes them as keyword arguments."""
        return self.scoped(group_id)

    def list_page(self, group_id: uuid.UUID, *, limit: int, starting_after: str | None, **filters: Any) -> Page:
        """A page of the list, newest first."""
        stmt = self.list_stmt(group_id, **filters)
        return paginate(self.session, stmt, self.model, limit=limit, starting_after=starting_after)
