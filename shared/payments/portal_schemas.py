"""The client portal's card payment requests and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


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
    setup_intent_client_secret: str
    # "succeeded" when the card was already confirmed in an earlier, closed dialog: go straight to confirm.
    setup_intent_status: str


class CardPaymentState(BaseModel):
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    amount_cents: int
    currency: str
    status: str
    # Only while the bank asks for authentication: the browser runs confirmCardPayment with it.
    payment_intent_client_secret: str | None = None
    failure_message: str | None = None
    created_at: datetime
