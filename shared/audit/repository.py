from __future__ import annotations

from sqlalchemy import Select

from shared.audit.models import AuditEvent
from shared.db.repository import PracticeRepository, Whose


class AuditEventRepository(PracticeRepository[AuditEvent]):
    model = AuditEvent
    noun = "audit event"

    def list_stmt(self, whose: Whose, *, entity: str | None = None, entity_id: str | None = None) -> Select:
        stmt = self.scoped(whose)
        if entity:
            stmt = stmt.where(AuditEvent.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        return stmt
