"""Invoices and their immutable line snapshots: what a client owes, the ledger's other half beside its
payments (shared/ledger/payments.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin

INVOICE_STATUSES = ("open", "partially_paid", "paid", "void")


class Invoice(IdMixin, TimestampMixin, Base):
    """Status and balance are stored, updated in the same transaction as the ledger (shared.ledger.balances)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("group_id", "sequence"),
        UniqueConstraint("run_id", "client_id"),
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        CheckConstraint("balance_cents >= 0", name="balance_not_negative"),
        CheckConstraint("overpaid_cents >= 0", name="overpaid_not_negative"),
        Index("ix_invoices_group_created", "group_id", "created_at", "id"),
        Index("ix_invoices_group_status_created", "group_id", "status", "created_at", "id"),
        Index("ix_invoices_client_created", "client_id", "created_at", "id"),
        Index(
            "ix_invoices_group_owing_due",
            "group_id",
            "due_date",
            postgresql_where="status in ('open', 'partially_paid')",
        ),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoicing_runs.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32))
    invoiced_date: Mapped[date] = mapped_column(Date)
    # Fixed at issue (shared/ledger/due.py); overdue is derived from it, in the practice's time zone.
    # A row written without one (a script, a test's fixture) is due on receipt: its invoiced date.
    due_date: Mapped[date] = mapped_column(Date, default=lambda ctx: ctx.get_current_parameters()["invoiced_date"])
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    balance_cents: Mapped[int] = mapped_column(Integer)
    overpaid_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Payments on their way (an ACH debit is `processing` for days): shown as pending, never counted as paid.
    processing_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="open")
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped whenever the ledger changes, so the PDF "as it stands" can be re-rendered once per change.
    ledger_version: Mapped[int] = mapped_column(Integer, default=1)


class InvoiceLine(IdMixin, Base):
    """A snapshot of a service as invoiced. Never updated after the run."""

    __tablename__ = "invoice_lines"
    __table_args__ = (Index("ix_invoice_lines_invoice", "invoice_id", "position"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    service_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    amount_cents: Mapped[int] = mapped_column(Integer)
    insurance_paid_cents: Mapped[int] = mapped_column(Integer)
    client_part_cents: Mapped[int] = mapped_column(Integer)
