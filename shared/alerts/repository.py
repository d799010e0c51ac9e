"""Queries of staff alerts, always scoped to one group."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.alerts.models import Alert


@dataclass
class AlertRepository:
    session: Session

    @classmethod
    def from_session(cls, session: Session) -> AlertRepository:
        return cls(session)

    def insert_once(self, values: dict[str, Any]) -> uuid.UUID | None:
        """The new alert's id, or None when this group already has one with this dedupe key. A second
        transaction inserting the same key waits on the unique index for the first, then adds nothing."""
        stmt = (
            insert(Alert)
            .values(id=uuid.uuid4(), **values)
            .on_conflict_do_nothing(index_elements=[Alert.group_id, Alert.dedupe_key])
            .returning(Alert.id)
        )
        return self.session.scalar(stmt)

    def list_stmt(self, group_id: uuid.UUID, *, status: str | None, kind: str | None) -> Select:
        stmt = select(Alert).where(Alert.group_id == group_id)
        if status == "open":
            stmt = stmt.where(Alert.resolved_at.is_(None))
        elif status == "resolved":
            stmt = stmt.where(Alert.resolved_at.is_not(None))
        if kind is not None:
            stmt = stmt.where(Alert.kind == kind)
        return stmt

    def get(self, group_id: uuid.UUID, alert_id: uuid.UUID, *, for_update: bool = False) -> Alert | None:
        stmt = select(Alert).where(Alert.id == alert_id, Alert.group_id == group_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(stmt)

    def get_by_key(self, group_id: uuid.UUID, dedupe_key: str) -> Alert | None:
        return self.session.scalar(select(Alert).where(Alert.group_id == group_id, Alert.dedupe_key == dedupe_key))

    def open_for_invoice(self, group_id: uuid.UUID, invoice_id: uuid.UUID) -> list[Alert]:
        return list(
            self.session.scalars(
                select(Alert)
                .where(Alert.group_id == group_id, Alert.invoice_id == invoice_id, Alert.resolved_at.is_(None))
                .order_by(Alert.created_at.desc(), Alert.id.desc())
            )
        )
