"""Queries of staff alerts, always scoped to one group."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert

from shared.alerts.models import Alert
from shared.db.repository import PracticeRepository, Whose, practice_of


class AlertRepository(PracticeRepository[Alert]):
    model = Alert
    noun = "alert"

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

    def list_stmt(self, whose: Whose, *, status: str | None, kind: str | None) -> Select:
        stmt = self.scoped(whose)
        if status == "open":
            stmt = stmt.where(Alert.resolved_at.is_(None))
        elif status == "resolved":
            stmt = stmt.where(Alert.resolved_at.is_not(None))
        if kind is not None:
            stmt = stmt.where(Alert.kind == kind)
        return stmt

    def get_by_key(self, whose: Whose, dedupe_key: str) -> Alert | None:
        return self.session.scalar(self.scoped(whose).where(Alert.dedupe_key == dedupe_key))

    def open_for_invoice(self, whose: Whose, invoice_id: uuid.UUID) -> list[Alert]:
        group_id = practice_of(whose)
        return list(
            self.session.scalars(
                select(Alert)
                .where(Alert.group_id == group_id, Alert.invoice_id == invoice_id, Alert.resolved_at.is_(None))
                .order_by(Alert.created_at.desc(), Alert.id.desc())
            )
        )
