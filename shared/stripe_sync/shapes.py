"""What clinicpay reads of Stripe's PaymentIntents: a schema of ours, checked against the pinned SDK.

A PaymentIntent reaches the ledger as a plain dict, from two places: a webhook event's payload (JSON
as Stripe sent it; the receiver and the worker never build SDK objects for it, `construct_event`
costs ~0.6 ms an event) and the gateway's answers (the SDK's typed `stripe.PaymentIntent`, turned
into the same dict). `PaymentIntentData` names the fields clinicpay reads, with the types the pinned
version gives them; tests/lint/test_stripe_shapes.py checks each one against the SDK's own
`stripe.PaymentIntent` declaration, so a field an SDK upgrade drops, renames, makes nullable or gives
a new status fails that test, and mypy (strict here) checks every read of these fields.

It is a static schema, not a parser: nothing is validated at run time, so the hot path pays nothing.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

# Every status of a PaymentIntent at the pinned version (shared.payments.card.our_status maps them).
PaymentIntentStatus = Literal[
    "canceled",
    "processing",
    "requires_action",
    "requires_capture",
    "requires_confirmation",
    "requires_payment_method",
    "succeeded",
]


class LastPaymentErrorData(TypedDict, total=False):
    code: str | None
    decline_code: str | None
    message: str | None


class PaymentIntentData(TypedDict, total=False):
    """A PaymentIntent as clinicpay reads it (every other field is there too, unread)."""

    id: str
    amount: int
    currency: str
    status: PaymentIntentStatus
    metadata: dict[str, str]
    last_payment_error: LastPaymentErrorData | None
    payment_method: str | dict[str, Any] | None  # an id, or the object when expanded
    client_secret: str | None
