"""The ledger: every amount received is a Payment row; refunds and disputes hang off payments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin

METHODS = ("card", "insurance", "cash", "check", "external")
MANUAL_METHODS = ("insurance", "cash", "check", "external")
# `mismatched`: Stripe took money on this payment's PaymentIntent, but not the amount or currency the
# payment is for; it is not applied to the invoice (see shared.payments.card) and staff are alerted.
PAYMENT_STATUSES = (
    "pending",
    "requires_action",
    "processing",
    "succeeded",
    "failed",
    "canceled",
    "reversed",
    "mismatched",
)


class Payment(IdMixin, TimestampMixin, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
        Index("ix_payments_invoice", "invoice_id", "created_at"),
        Index("ix_payments_group_status", "group_id", "status"),
        # Collections per month read only the chosen months' received payments.
        Index("ix_payments_group_collected", "group_id", "received_date", postgresql_where="status = 'succeeded'"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    received_date: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reversal_reason: Mapped[str | None] = mapped_column(String(500))

    # Card payments only.
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The legacy Card Element flow's SetupIntent (payments made before the Payment Element); unused now.
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(255))
    # What the client paid with through the Payment Element: card (wallets are cards), link, us_bank_account.
    stripe_payment_method_type: Mapped[str | None] = mapped_column(String(32))
    # The ConfirmationToken the PaymentIntent was confirmed with: unique, so one token pays one payment.
    stripe_confirmation_token_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    # Stripe's code for a failure (card_declined, insufficient_funds, …): staff see why a bank debit bounced.
    failure_code: Mapped[str | None] = mapped_column(String(64))
    # Portion of this payment that arrived after the invoice was already settled; the biller refunds it.
    overpayment_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The last PaymentIntent Stripe reported for this payment with another amount or currency, as Stripe
    # had it ({payment_intent, stripe_status, amount_cents, currency}); it was not applied.
    stripe_mismatch: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


REFUND_STATUSES = ("pending", "succeeded", "failed", "canceled")


class Refund(IdMixin, TimestampMixin, Base):
    """One refund, whoever started it: staff in clinicpay (a row first, then Stripe's refund made with
    an idempotency key from this row's id, `metadata.refund_id` naming it), or someone in Stripe's
    Dashboard (a row made when Stripe reports it). Stripe's refund and ours are one row."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # Refunds asked for in clinicpay that Stripe has not answered yet (a sweeper sends them again).
        Index("ix_refunds_unsent", "created_at", postgresql_where="stripe_refund_id IS NULL AND status = 'pending'"),
        Index("ix_refunds_group_succeeded", "group_id", "created_at", postgresql_where="status = 'succeeded'"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    # None until Stripe answers the create for a refund asked for in clinicpay.
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | succeeded | failed | canceled
    # Stripe's reason code: duplicate | fraudulent | requested_by_customer (or what Stripe reports).
    reason: Mapped[str | None] = mapped_column(String(64))
    # The staff's own words: stays in our database, never sent to Stripe.
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Why Stripe failed it (lost_or_stolen_card, expired_or_canceled_card, …) or refused to make it.
    failure_reason: Mapped[str | None] = mapped_column(String(64))


class Dispute(IdMixin, TimestampMixin, Base):
    __tablename__ = "disputes"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    funds_withdrawn_cents: Mapped[int] = mapped_column(Integer, default=0)
    funds_reinstated_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Stripe's `created` of the newest event applied, so an older event never overwrites a newer state.
    stripe_updated_at: Mapped[int] = mapped_column(Integer, default=0)
