"""The client portal's card payment requests and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.text import text_rules


class CardPaymentStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Integer cents only: 10.5 or "10" is refused. Absent means the whole balance.
    amount_cents: Annotated[int, Field(strict=True, gt=0)] | None = None


class CardPaymentStarted(BaseModel):
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    amount_cents: int
    currency: str
    status: str
    publishable_key: str
    stripe_js_url: str
    # For the Payment Element (`allowedPaymentMethodTypes`): card (wallets and HSA/FSA cards are cards),
    # link, and us_bank_account where the practice takes ACH Direct Debit.
    payment_method_types: list[str]


class CardPaymentConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The id of the ConfirmationToken Stripe.js made (`stripe.createConfirmationToken`). Optional only
    # when the payment already has one: a repeated confirm (after 3-D Secure, or a lost answer) re-reads.
    confirmation_token: Annotated[str, *text_rules(min_length=1, max_length=255)] | None = None


class CardPaymentState(BaseModel):
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    amount_cents: int
    currency: str
    status: str
    # card | link | us_bank_account, once the client has chosen (from the ConfirmationToken).
    payment_method_type: str | None = None
    # Only while the bank asks for authentication: the browser runs stripe.handleNextAction with it.
    payment_intent_client_secret: str | None = None
    # Why it failed (Stripe's code: card_declined, insufficient_funds, …), or payment_details_refused
    # when the details must be entered again on this same (still pending) payment.
    failure_code: str | None = None
    failure_message: str | None = None
    # While the bank wants authentication (GET only): where Stripe.js is, to resume in a new dialog.
    publishable_key: str | None = None
    stripe_js_url: str | None = None
    created_at: datetime
