from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from shared.audit.models import AuditEvent
from shared.db.repository import Repository


class AuditEventRepository(Repository):
    def list_stmt(self, group_id: uuid.UUID, *, entity: str | None = None, entity_id: str | None = None) -> Select:
        stmt = select(AuditEvent).where(AuditEvent.group_id == group_id)
        if entity:
            stmt = stmt.where(AuditEvent.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        return stmt
