"""The client's view of their invoices: amounts, lines and payments, without the practice's internals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from shared.invoicing.schemas import InvoiceFigures, InvoiceLineOut


class PortalSummaryOut(BaseModel):
    unpaid_invoice_count: int
    balance_due_cents: int
    currency: str


class PortalInvoiceOut(InvoiceFigures):
    object: Literal["invoice"] = "invoice"
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
