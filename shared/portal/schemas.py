"""The client's view of their invoices: amounts, lines and payments, without the practice's internals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

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
    created_at: datetime


class PortalPaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    method: str
    amount_cents: int
    refunded_cents: int
    status: str
    payment_method_type: str | None = Field(
        default=None, validation_alias=AliasChoices("stripe_payment_method_type", "payment_method_type")
    )
    # Why a payment failed, in words the client can act on (a declined card, a returned bank debit).
    failure_message: str | None = None
    received_date: date | None
    created_at: datetime


class PortalInvoiceDetailOut(PortalInvoiceOut):
    lines: list[InvoiceLineOut]
    payments: list[PortalPaymentOut]
