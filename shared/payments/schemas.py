"""Payments as the API shows them, and the bodies of the biller's manual payment actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.billing.fields import IsoDate, PositiveCents

ManualMethod = Literal["insurance", "cash", "check", "external"]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]

# One "mark paid" covers what a biller selects on one page.
MAX_MARK_PAID_INVOICES = 500


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    amount_cents: int
    status: str
    reason: str | None
    created_at: datetime


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    object: Literal["payment"] = "payment"
    invoice_id: uuid.UUID
    method: str
    amount_cents: int
    currency: str
    refunded_cents: int
    status: str
    received_date: date | None
    reference: str | None
    overpayment_cents: int
    failure_message: str | None
    reversed_at: datetime | None
    reversal_reason: str | None
    created_at: datetime
    refunds: list[RefundOut] = []


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID
    amount_cents: int
    status: str
    reason: str | None
    funds_withdrawn_cents: int
    funds_reinstated_cents: int
    created_at: datetime


class ManualPaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_cents: PositiveCents
    method: ManualMethod
    received_date: IsoDate
    reference: Reference | None = None


class MarkPaidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strings: an id that is not a UUID is an unknown invoice (404), like any other.
    invoice_ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=MAX_MARK_PAID_INVOICES)
    received_date: IsoDate
    method: ManualMethod
    reference: Reference | None = None


class ReverseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class MarkPaidOut(BaseModel):
    data: list[PaymentOut]
