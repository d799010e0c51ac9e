"""Queries that find our ledger rows from the ids Stripe hands us (PaymentIntent, refund, dispute)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.payments.models import Dispute, Payment, Refund


@dataclass
class StripeLedgerRepository:
    session: Session

    @classmethod
    def from_session(cls, session: Session) -> StripeLedgerRepository:
        return cls(session)

    def payment_by_intent(self, payment_intent_id: str) -> Payment | None:
        return self.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id))

    def card_payment_in_group(self, payment_id: uuid.UUID, group_id: uuid.UUID) -> Payment | None:
        return self.session.scalar(
            select(Payment).where(Payment.id == payment_id, Payment.group_id == group_id, Payment.method == "card")
        )

    def reload_payment(self, payment_id: uuid.UUID) -> Payment:
        """Re-read after the invoice lock is held, so we act on the committed state, not a stale copy."""
        return self.session.scalars(
            select(Payment).where(Payment.id == payment_id).execution_options(populate_existing=True)
        ).one()

    def refund_by_stripe_id(self, stripe_refund_id: str) -> Refund | None:
        return self.session.scalars(
            select(Refund).where(Refund.stripe_refund_id == stripe_refund_id)
            .execution_options(populate_existing=True)
        ).one_or_none()

    def refunds_of_payment(self, payment_id: uuid.UUID) -> list[Refund]:
        return list(self.session.scalars(
            select(Refund).where(Refund.payment_id == payment_id).execution_options(populate_existing=True)
        ))

    def dispute_by_stripe_id(self, stripe_dispute_id: str) -> Dispute | None:
        return self.session.scalars(
            select(Dispute).where(Dispute.stripe_dispute_id == stripe_dispute_id)
            .execution_options(populate_existing=True)
        ).one_or_none()
