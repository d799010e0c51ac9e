"""Billing rates, the services delivered under them, and insurance paid on a service before invoicing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin

PAYERS = ("insurance", "self_pay")


class BillingRate(IdMixin, TimestampMixin, Base):
    __tablename__ = "billing_rates"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("payer in ('insurance', 'self_pay')", name="payer_known"),
        Index("ix_billing_rates_group_created", "group_id", "created_at"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    needs_billing: Mapped[bool] = mapped_column(Boolean, default=False)  # "Do you need to bill…"
    is_invoiced: Mapped[bool] = mapped_column(Boolean, default=False)  # "Is Invoiced"
    payer: Mapped[str] = mapped_column(String(16))
    # The insurance rate this one is the self-pay copy of, if any.
    self_pay_source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_rates.id", ondelete="SET NULL"))

    @property
    def goes_on_invoices(self) -> bool:
        return self.needs_billing and self.is_invoiced


def client_part_cents(amount_cents: int, insurance_paid_cents: int) -> int:
    """What the client owes for a service: its amount less what insurance paid, never below zero
    (writes refuse insurance above the amount; the floor keeps every reader to one rule)."""
    return max(amount_cents - insurance_paid_cents, 0)


class Service(IdMixin, TimestampMixin, Base):
    """A service delivered to a client on a date. Pushed by the practice system, idempotent by external id."""

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("group_id", "external_id"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("insurance_paid_cents >= 0", name="insurance_not_negative"),
        # The queue, newest first per billing rate (InvoicingRepository.queue_page): only services still
        # waiting, so the index stays the size of the queue (plus services on rates never invoiced).
        Index(
            "ix_services_queue",
            "billing_rate_id",
            "created_at",
            "id",
            postgresql_where="invoice_id IS NULL AND claimed_by_run_id IS NULL",
        ),
        # The services a run has claimed, while it works on them (a handful of rows at any time).
        Index(
            "ix_services_claimed",
            "claimed_by_run_id",
            postgresql_where="invoice_id IS NULL AND claimed_by_run_id IS NOT NULL",
        ),
        Index("ix_services_group_client", "group_id", "client_id", "created_at"),
        Index("ix_services_invoice", "invoice_id"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    billing_rate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("billing_rates.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    service_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    amount_cents: Mapped[int] = mapped_column(Integer)
    # True when the pusher gave the amount; otherwise it follows the billing rate.
    amount_explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    description_explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sum of succeeded ServicePayment rows, kept in the same transaction as they change.
    insurance_paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Set atomically when a run claims it, so two runs can never take the same service.
    claimed_by_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoicing_runs.id", ondelete="SET NULL"))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))


class ServicePayment(IdMixin, TimestampMixin, Base):
    """Insurance (or other) money received on a service before it is invoiced."""

    __tablename__ = "service_payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16), default="insurance")
    amount_cents: Mapped[int] = mapped_column(Integer)
    received_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="succeeded")  # succeeded | reversed
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
