"""The repository base: every repository is made `from_session`, and a practice's rows are read
through one tenant scope.

Every read of a practice's rows is asked for by `whose` rows they are (`Whose`): the caller's `Actor`
(a route, a domain service acting for someone), or, in a job that leased a row of one practice, that
practice's id. `practice_of(whose)` is the one place that turns either into a `group_id`; an actor of
no practice (the operator, the system) has no practice's rows to see and is told NotFound, as for any
unknown id.

`PracticeRepository[Model]` is for a table whose rows belong to one practice (`group_id`):

- `scoped(whose)` is THE tenant filter: a SELECT of the practice's rows, to narrow further;
- `get(whose, id)` answers the row or None — also None for another practice's row;
- `get_or_404(whose, id)` answers the row or raises NotFound ("No such client."): a request for
  another practice's id is told the same as for an id that never existed, so ids leak nothing;
- `list_page(whose, limit=, starting_after=, **filters)` is the page of `list_stmt(whose, **filters)`
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

from shared.actor import Actor
from shared.db.ids import parse_id
from shared.db.pagination import Page, paginate
from shared.errors import NotFound

M = TypeVar("M")

# Whose rows a read asks for: the caller, or (in a job that leased one practice's row) the practice.
Whose = Actor | uuid.UUID


def practice_of(whose: Whose) -> uuid.UUID:
    """The practice whose rows a read may see: the actor's own (NotFound for an actor of none), or the id given."""
    return whose.practice_id if isinstance(whose, Actor) else whose


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

    def scoped(self, whose: Whose) -> Select[tuple[M]]:
        """The practice's rows: the one tenant filter every read of this table starts from."""
        return select(self.model).where(self.model.group_id == practice_of(whose))

    def get(self, whose: Whose, row_id: uuid.UUID | str, *, for_update: bool = False) -> M | None:
        try:
            wanted = parse_id(row_id, self.noun)
        except NotFound:
            return None
        stmt = self.scoped(whose).where(self.model.id == wanted)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(stmt)

    def get_or_404(
        self, whose: Whose, row_id: uuid.UUID | str, *, param: str | None = None, for_update: bool = False
    ) -> M:
        param = param or self.param
        found = self.get(whose, parse_id(row_id, self.noun, param), for_update=for_update)
        if found is None:
            raise NotFound(f"No such {self.noun}.", code="resource_missing", param=param)
        return found

    def list_stmt(self, whose: Whose) -> Select[Any]:
        """The list's rows; a repository whose list has filters takes them as keyword arguments."""
        return self.scoped(whose)

    def list_page(self, whose: Whose, *, limit: int, starting_after: str | None, **filters: Any) -> Page:
        """A page of the list, newest first."""
        stmt = self.list_stmt(whose, **filters)
        return paginate(self.session, stmt, self.model, limit=limit, starting_after=starting_after)
