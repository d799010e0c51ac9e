"""Payments as the API shows them, and the bodies of the biller's manual payment actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from shared.fields import IsoDate, PositiveCents
from shared.text import text_rules

ManualMethod = Literal["insurance", "cash", "check", "external"]
Reference = Annotated[str, *text_rules(max_length=200)]

# One "mark paid" covers what a biller selects on one page.
MAX_MARK_PAID_INVOICES = 500


RefundReason = Literal["duplicate", "fraudulent", "requested_by_customer"]


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    object: Literal["refund"] = "refund"
    payment_id: uuid.UUID
    amount_cents: int
    # pending (asked for, or on its way at Stripe) | succeeded | failed | canceled
    status: str
    reason: str | None
    # The staff's own words (never sent to Stripe, never shown to the client).
    note: str | None = None
    # Stripe's refund, once Stripe has answered; None while it is still being sent.
    stripe_refund_id: str | None = None
    # Why Stripe failed or refused it (lost_or_stolen_card, expired_or_canceled_card, …).
    failure_reason: str | None = None
    requested_by_user_id: uuid.UUID | None = None
    created_at: datetime


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_cents: PositiveCents | None = Field(
        default=None, description="Omitted: everything that can still be refunded on the payment."
    )
    reason: RefundReason = Field(default="requested_by_customer", description="Stripe's reason code, sent to Stripe.")
    note: Annotated[str, *text_rules(max_length=1000)] | None = Field(
        default=None, description="The staff's own words, one line: kept in clinicpay, never sent to Stripe."
    )


class StripeMismatchOut(BaseModel):
    """A PaymentIntent Stripe reported for this payment with another amount or currency (not applied)."""

    payment_intent: str | None
    stripe_status: str | None
    amount_cents: int | None
    currency: str | None


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
    # card | link | us_bank_account for payments through Stripe (method "card"), else None.
    payment_method_type: str | None = Field(
        default=None, validation_alias=AliasChoices("stripe_payment_method_type", "payment_method_type")
    )
    failure_code: str | None = None
    stripe_mismatch: StripeMismatchOut | None = None
    failure_message: str | None
    reversed_at: datetime | None
    reversal_reason: str | None
    created_at: datetime
    refunds: list[RefundOut] = []
    # What a refund may still take back (card and bank-debit payments that went through; else 0).
    refundable_cents: int = 0


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


CANCEL_PENDING_CARD_PAYMENT = (
    "Cancel at Stripe a card payment still waiting for the client (3-D Secure, or never confirmed) on the "
    "invoice first. The manual payment is recorded only if Stripe confirms it canceled; a payment that is "
    "processing, or that went through at Stripe meanwhile, refuses the request (409)."
)


class ManualPaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_cents: PositiveCents
    method: ManualMethod
    received_date: IsoDate
    reference: Reference | None = None
    cancel_pending_card_payment: bool = Field(default=False, description=CANCEL_PENDING_CARD_PAYMENT)


class MarkPaidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strings: an id that is not a UUID is an unknown invoice (404), like any other.
    invoice_ids: list[Annotated[str, *text_rules(max_length=64, strip=False)]] = Field(
        max_length=MAX_MARK_PAID_INVOICES
    )
    received_date: IsoDate
    method: ManualMethod
    reference: Reference | None = None
    cancel_pending_card_payment: bool = Field(default=False, description=CANCEL_PENDING_CARD_PAYMENT)


class ReverseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, *text_rules(min_length=1, max_length=500)]


CANCELED_CARD_PAYMENTS = (
    "Card payments this request closed: canceled at Stripe first (cancel_pending_card_payment), or opened "
    "by the client but never confirmed (nothing can be charged on them once the invoice is settled)."
)


class MarkPaidOut(BaseModel):
    data: list[PaymentOut]
    canceled_card_payments: list[PaymentOut] = Field(default=[], description=CANCELED_CARD_PAYMENTS)


class ManualPaymentOut(PaymentOut):
    canceled_card_payments: list[PaymentOut] = Field(default=[], description=CANCELED_CARD_PAYMENTS)
