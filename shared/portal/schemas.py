"""The client's view of their invoices: amounts, lines and payments, without the practice's internals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.invoicing.schemas import InvoiceLineOut, InvoiceStatus


class PortalSummaryOut(BaseModel):
    unpaid_invoice_count: int
    balance_due_cents: int
    currency: str


class PortalInvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    object: Literal["invoice"] = "invoice"
    number: str
    invoiced_date: date
    currency: str
    total_cents: int
    paid_cents: int
    balance_cents: int
    overpaid_cents: int
    status: InvoiceStatus
    created_at: datetime


class PortalPaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    method: str
    amount_cents: int
    refunded_cents: int
    status: str
    received_date: date | None
    created_at: datetime


class PortalInvoiceDetailOut(PortalInvoiceOut):
    lines: list[InvoiceLineOut]
    payments: list[PortalPaymentOut]
