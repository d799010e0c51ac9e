"""Invoicing runs (a biller's "Update": a job turned into invoices) and the stored PDF versions of an invoice.
The invoices themselves are the ledger's (shared/ledger/invoices.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from shared.db.base import Base, IdMixin, TimestampMixin

JOB_STATUSES = ("queued", "running", "succeeded", "failed")


class InvoicingRun(IdMixin, TimestampMixin, Base):
    """A biller's "Update" on the Invoices tab: a job the worker turns into one invoice per client."""

    __tablename__ = "invoicing_runs"
    __table_args__ = (
        Index(
            "ix_invoicing_runs_unfinished",
            "status",
            "lease_expires_at",
            postgresql_where="status in ('queued', 'running')",
        ),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    invoiced_date: Mapped[date] = mapped_column(Date)
    # The due date the biller chose, else the one the practice's terms gave when the run was made.
    due_date: Mapped[date | None] = mapped_column(Date)
    service_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The lease: a worker owns the run until lease_expires_at; a dead worker's run is picked up after it.
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InvoicePdf(IdMixin, Base):
    """A rendered PDF. Version 1 is the invoice as issued; later versions follow ledger changes."""

    __tablename__ = "invoice_pdfs"
    __table_args__ = (UniqueConstraint("invoice_id", "version"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    ledger_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
