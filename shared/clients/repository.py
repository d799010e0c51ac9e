from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, func, or_, select

from shared.clients.models import Client
from shared.db.repository import PracticeRepository, Whose, practice_of


class ClientRepository(PracticeRepository[Client]):
    model = Client
    noun = "client"

    def list_stmt(
        self,
        whose: Whose,
        *,
        email: str | None = None,
        external_id: str | None = None,
        search: str | None = None,
    ) -> Select:
        stmt = self.scoped(whose)
        if search and search.strip():
            # Any part of the name or email, any case; %, _ and \ typed are themselves, not wildcards.
            escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            stmt = stmt.where(or_(Client.name.ilike(pattern, escape="\\"), Client.email.ilike(pattern, escape="\\")))
        if email:
            stmt = stmt.where(func.lower(Client.email) == email.strip().lower())
        if external_id:
            stmt = stmt.where(Client.external_id == external_id)
        return stmt

    def find_by_external_id(self, whose: Whose, external_id: str) -> Client | None:
        return self.session.scalar(self.scoped(whose).where(Client.external_id == external_id).limit(1))

    def existing_ids(self, whose: Whose, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of `ids` are this group's clients, in one query."""
        group_id = practice_of(whose)
        ids = list(set(ids))
        if not ids:
            return set()
        return set(self.session.scalars(select(Client.id).where(Client.group_id == group_id, Client.id.in_(ids))))
