"""What the Invoices page sends and reads: the queue, runs (jobs), invoices with lines and PDF versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.billing.fields import IsoDate
from shared.payments.schemas import DisputeOut, PaymentOut

# A run's selection is one biller's "Update"; far beyond a month of a large practice's services.
MAX_RUN_SERVICES = 20_000

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
    service_ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=MAX_RUN_SERVICES)
    invoiced_date: IsoDate


class RunOut(BaseModel):
    id: uuid.UUID
    object: Literal["invoicing_run"] = "invoicing_run"
    status: str
    invoiced_date: date
    errors: list[dict[str, Any]]
    invoice_ids: list[uuid.UUID]
    service_count: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    client_id: uuid.UUID
    client_name: str
    run_id: uuid.UUID | None
    invoiced_date: date
    currency: str
    total_cents: int
    paid_cents: int
    balance_cents: int
    overpaid_cents: int
    status: InvoiceStatus
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


class PdfVersionOut(BaseModel):
    version: int
    ledger_version: int
    sha256: str
    size_bytes: int
    created_at: datetime
