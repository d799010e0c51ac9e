"""Staff alerts: one row per thing a practice's staff must act on (refund a surplus, look at a
payment Stripe reported differently, …). Raised by other domains inside their own transaction,
once per cause, and resolved by a person."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin

# The stable codes of what an alert is about. Add a kind here (and to docs/API.md) before raising it;
# the column is a plain string, so a new kind needs no migration.
AlertKind = Literal[
    "overpayment",  # money arrived beyond what the invoice owed: refund the surplus
    "payment_intent_mismatch",  # Stripe's PaymentIntent differs in amount or currency from our payment: not applied
    "ach_payment_failed",  # a bank debit failed after it was recorded as on its way
    "refund_failed",  # a refund Stripe had accepted failed: the money is still with the practice
    "dispute_needs_response",  # a client disputed a card payment: answer it in Stripe before the due date
    "stripe_event_failing",  # a Stripe event keeps failing to apply
    "reconciliation_mismatch",  # reconciliation found money at Stripe our books do not match
    "email_undeliverable",  # an email to a client could not be delivered
]
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)
AlertStatus = Literal["open", "resolved"]


class Alert(IdMixin, Base):
    """Unique per (group, dedupe_key): the same cause reported again — a duplicated Stripe event, a
    retried task — finds its alert and adds none, even once that alert is resolved."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("group_id", "dedupe_key"),
        Index("ix_alerts_group_created", "group_id", "created_at"),
        Index("ix_alerts_group_open", "group_id", "created_at", postgresql_where="resolved_at IS NULL"),
        Index("ix_alerts_invoice_open", "invoice_id", postgresql_where="resolved_at IS NULL"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    # For a person: amounts, invoice numbers, Stripe ids — never clinical text (no service
    # descriptions, rate names or notes).
    message: Mapped[str] = mapped_column(Text)
    # The same facts for software (amount_cents, currency, payment_intent…).
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))

    @property
    def status(self) -> str:
        return "open" if self.resolved_at is None else "resolved"
