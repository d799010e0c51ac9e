"""What the Invoices page sends and reads: the queue, runs (jobs), invoices with lines and PDF versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.schemas import AlertOut
from shared.fields import IsoDate
from shared.payments.schemas import DisputeOut, PaymentOut
from shared.text import text

# A run's selection is one biller's "Update"; far beyond a month of a large practice's services.
MAX_RUN_SERVICES = 20_000
# An invoice's total, kept well inside the 32-bit amount columns so that payments and overpayments
# on it (each at most MAX_CENTS) still fit: $10M, far beyond any practice's invoice to one client.
MAX_INVOICE_CENTS = 1_000_000_000

InvoiceStatus = Literal["open", "partially_paid", "paid", "void"]


class QueueItemOut(BaseModel):
    id: uuid.UUID
    external_id: str
    client_id: uuid.UUID
    client_name: str
    billing_rate_id: uuid.UUID
    billing_rate_name: str
    service_date: date
    description: str
    amount_cents: int
    insurance_paid_cents: int
    client_part_cents: int
    currency: str
    created_at: datetime


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strings, not UUIDs: an id that is not a UUID is an unknown service (404), like any other.
    # Emptiness is checked by the service so the answer carries its own code (empty_selection).
    service_ids: list[text(max_length=64, strip=False)] = Field(max_length=MAX_RUN_SERVICES)
    invoiced_date: IsoDate
    due_date: IsoDate | None = Field(
        default=None,
        description="When these invoices are due: on or after invoiced_date, within 366 days of it. "
        "Absent: from the practice's payment terms (due on receipt, net 7, 15 or 30 days).",
    )


class RunOut(BaseModel):
    id: uuid.UUID
    object: Literal["invoicing_run"] = "invoicing_run"
    status: str
    invoiced_date: date
    due_date: date | None
    errors: list[dict[str, Any]]
    invoice_ids: list[uuid.UUID]
    service_count: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class InvoiceFigures(BaseModel):
    """What an invoice says to everyone who may see it: the staff's lists (InvoiceOut) and the client's
    portal (shared/portal/schemas.py)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    invoiced_date: date
    due_date: date
    # Still owed and past its due date on the practice's calendar (its time zone).
    overdue: bool = False
    currency: str
    total_cents: int
    paid_cents: int
    balance_cents: int
    overpaid_cents: int
    # Paid but not arrived yet (an ACH debit takes days and may still fail): not counted in paid_cents.
    processing_cents: int
    status: InvoiceStatus


class InvoiceOut(InvoiceFigures):
    client_id: uuid.UUID
    client_name: str
    run_id: uuid.UUID | None
    disputed: bool
    voided_at: datetime | None
    created_at: datetime


class InvoiceLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    service_id: uuid.UUID | None
    service_date: date
    description: str
    amount_cents: int
    insurance_paid_cents: int
    client_part_cents: int


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]
    payments: list[PaymentOut]
    disputes: list[DisputeOut]
    # What staff still have to do about this invoice (e.g. "refund the surplus"), newest first.
    alerts: list[AlertOut] = Field(default=[], description="The open staff alerts about this invoice.")


class PdfVersionOut(BaseModel):
    version: int
    ledger_version: int
    sha256: str
    size_bytes: int
    created_at: datetime
