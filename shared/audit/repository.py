from __future__ import annotations

import uuid

from sqlalchemy import Select

from shared.audit.models import AuditEvent
from shared.db.repository import PracticeRepository


class AuditEventRepository(PracticeRepository[AuditEvent]):
    model = AuditEvent
    noun = "audit event"

    def list_stmt(self, group_id: uuid.UUID, *, entity: str | None = None, entity_id: str | None = None) -> Select:
        stmt = self.scoped(group_id)
        if entity:
            stmt = stmt.where(AuditEvent.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        return stmt
