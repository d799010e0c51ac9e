"""Stripe events as Stripe documents them, signed the way Stripe signs them — for any test to reuse.

localstripe sends no charge.*, refund.* or dispute events, so those paths are tested with
events built here and signed with the group's own webhook secret:
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

Events and objects are in the shapes of the API version the pinned SDK sends (`PINNED_API_VERSION`):
expandable fields as ids, no embedded `Charge.refunds` list. `OLD_API_VERSION` and
`charge(refunds=[…])` (the list embedded, as before 2022-11-15) build the events of an endpoint
made on an older version, on purpose; `tests/webhooks/test_stripe_events_shapes.py` checks every
builder against the SDK's declarations.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any

import httpx
import stripe

_serial = itertools.count(1)

PINNED_API_VERSION: str = stripe.api_version
# An endpoint made in the Dashboard on an older account default (its events are read again at ours).
OLD_API_VERSION = "2024-06-20"


def _stripe_id(prefix: str) -> str:
    return f"{prefix}_test{uuid.uuid4().hex[:20]}"


def new_webhook_secret() -> str:
    return "whsec_" + uuid.uuid4().hex


# --- Signing ---


def signature_header(body: str | bytes, secret: str, *, timestamp: int | None = None) -> str:
    text = body.decode() if isinstance(body, bytes) else body
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{text}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"))


def deliver(
    client: httpx.Client, url: str, event: dict[str, Any] | str | bytes, secret: str, *, timestamp: int | None = None
) -> httpx.Response:
    """POST one event to a webhook URL as Stripe would: the raw body and its signature."""
    body = event if isinstance(event, (str, bytes)) else encode(event)
    return client.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature_header(body, secret, timestamp=timestamp),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
    )


# --- Events and the objects inside them ---


def event(
    event_type: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
    previous_attributes: dict[str, Any] | None = None,
    api_version: str = PINNED_API_VERSION,
) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id or _stripe_id("evt"),
        "object": "event",
        "api_version": api_version,
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": _stripe_id("req"), "idempotency_key": None},
        "type": event_type,
    }


def payment_intent(
    *,
    amount: int,
    status: str,
    pi_id: str | None = None,
    currency: str = "usd",
    metadata: dict[str, str] | None = None,
    amount_received: int | None = None,
    last_payment_error: dict[str, Any] | None = None,
    customer: str | None = None,
    payment_method: str | None = "pm_card_visa",
    latest_charge: str | None = None,
) -> dict[str, Any]:
    if amount_received is None:
        amount_received = amount if status == "succeeded" else 0
    return {
        "id": pi_id or _stripe_id("pi"),
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount_received,
        "capture_method": "automatic",
        "client_secret": None,
        "confirmation_method": "automatic",
        "created": int(time.time()),
        "currency": currency,
        "customer": customer,
        "description": None,
        "last_payment_error": last_payment_error,
        "latest_charge": latest_charge,
        "livemode": False,
        "metadata": metadata or {},
        "next_action": {"type": "use_stripe_sdk"} if status == "requires_action" else None,
        "payment_method": payment_method,
        "payment_method_types": ["card"],
        "status": status,
    }


def card_declined(message: str = "Your card was declined.") -> dict[str, Any]:
    return {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline", "message": message}


def refund(
    *,
    amount: int,
    payment_intent: str | None,
    charge: str | None = None,
    status: str = "succeeded",
    refund_id: str | None = None,
    currency: str = "usd",
    reason: str | None = "requested_by_customer",
) -> dict[str, Any]:
    return {
        "id": refund_id or _stripe_id("re"),
        "object": "refund",
        "amount": amount,
        "charge": charge or _stripe_id("ch"),
        "created": int(time.time()),
        "currency": currency,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }


def charge(
    *,
    amount: int,
    payment_intent: str,
    refunds: list[dict[str, Any]] | None = None,
    charge_id: str | None = None,
    currency: str = "usd",
    amount_refunded: int | None = None,
) -> dict[str, Any]:
    """A Charge as the pinned version sends it: no `refunds` list. Given `refunds`, the list is embedded,
    as an older version's event (or a retrieve with `expand=["refunds"]`) has it."""
    listed = refunds or []
    refunded = sum(r["amount"] for r in listed if r["status"] in ("succeeded", "pending"))
    if amount_refunded is not None:
        refunded = amount_refunded
    obj: dict[str, Any] = {
        "id": charge_id or _stripe_id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "captured": True,
        "created": int(time.time()),
        "currency": currency,
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": refunded >= amount,
        "status": "succeeded",
    }
    if refunds is not None:
        obj["refunds"] = {
            "object": "list",
            "data": listed,
            "has_more": False,
            "total_count": len(listed),
            "url": f"/v1/charges/{obj['id']}/refunds",
        }
    return obj


def dispute(
    *,
    amount: int,
    payment_intent: str,
    status: str = "needs_response",
    reason: str = "fraudulent",
    dispute_id: str | None = None,
    charge_id: str | None = None,
    currency: str = "usd",
    created: int | None = None,
) -> dict[str, Any]:
    return {
        "id": dispute_id or _stripe_id("dp"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge_id or _stripe_id("ch"),
        "created": int(time.time()) if created is None else created,
        "currency": currency,
        "evidence_details": {
            "due_by": int(time.time()) + 7 * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }
