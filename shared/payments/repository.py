"""Reading an invoice's ledger rows (payments, their refunds, disputes) and finding a payment in a group."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.payments.models import Dispute, Payment, Refund


@dataclass
class PaymentRepository:
    session: Session

    @classmethod
    def from_session(cls, session: Session) -> PaymentRepository:
        return cls(session)

    def get(self, group_id: uuid.UUID, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment | None:
        stmt = select(Payment).where(Payment.id == payment_id, Payment.group_id == group_id)
        if for_update:
            # Re-read under the lock: act on the committed state, not a copy loaded earlier.
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(stmt)

    def payments_of(self, invoice_id: uuid.UUID, *, statuses: tuple[str, ...] | None = None) -> list[Payment]:
        stmt = select(Payment).where(Payment.invoice_id == invoice_id)
        if statuses is not None:
            stmt = stmt.where(Payment.status.in_(statuses))
        return list(self.session.scalars(stmt.order_by(Payment.created_at, Payment.id)))

    def refunds_by_payment(self, payment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Refund]]:
        grouped: dict[uuid.UUID, list[Refund]] = defaultdict(list)
        if payment_ids:
            for refund in self.session.scalars(select(Refund).where(Refund.payment_id.in_(payment_ids))
                                               .order_by(Refund.created_at)):
                grouped[refund.payment_id].append(refund)
        return grouped

    def disputes_of(self, invoice_id: uuid.UUID) -> list[Dispute]:
        return list(self.session.scalars(
            select(Dispute).join(Payment, Payment.id == Dispute.payment_id)
            .where(Payment.invoice_id == invoice_id).order_by(Dispute.created_at)
        ))

    def count_in_states(self, invoice_id: uuid.UUID, statuses: tuple[str, ...]) -> int:
        return len(list(self.session.scalars(
            select(Payment.id).where(Payment.invoice_id == invoice_id, Payment.status.in_(statuses))
        )))
