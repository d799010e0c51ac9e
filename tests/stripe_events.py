"""Stripe events as Stripe documents them, signed the way Stripe signs them — for any test to reuse.

localstripe sends no charge.*, refund.* or dispute events, so those paths are tested with
events built here and signed with the group's own webhook secret:
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
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

_serial = itertools.count(1)


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


def deliver(client: httpx.Client, url: str, event: dict[str, Any] | str | bytes, secret: str, *,
            timestamp: int | None = None) -> httpx.Response:
    """POST one event to a webhook URL as Stripe would: the raw body and its signature."""
    body = event if isinstance(event, (str, bytes)) else encode(event)
    return client.post(url, content=body, headers={
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature_header(body, secret, timestamp=timestamp),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    })


# --- Events and the objects inside them ---

def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None,
          previous_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id or _stripe_id("evt"),
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": _stripe_id("req"), "idempotency_key": None},
        "type": event_type,
    }


def payment_intent(*, amount: int, status: str, pi_id: str | None = None, currency: str = "usd",
                   metadata: dict[str, str] | None = None, amount_received: int | None = None,
                   last_payment_error: dict[str, Any] | None = None, customer: str | None = None,
                   payment_method: str | None = "pm_card_visa", latest_charge: str | None = None) -> dict[str, Any]:
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


def refund(*, amount: int, payment_intent: str | None, charge: str | None = None, status: str = "succeeded",
           refund_id: str | None = None, currency: str = "usd", reason: str | None = "requested_by_customer") -> dict[str, Any]:
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


def charge(*, amount: int, payment_intent: str, refunds: list[dict[str, Any]] | None = None,
           charge_id: str | None = None, currency: str = "usd") -> dict[str, Any]:
    refunds = refunds or []
    refunded = sum(r["amount"] for r in refunds if r["status"] in ("succeeded", "pending"))
    return {
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
        "refunds": {"object": "list", "data": refunds, "has_more": False, "total_count": len(refunds),
                    "url": "/v1/charges/x/refunds"},
        "status": "succeeded",
    }


def dispute(*, amount: int, payment_intent: str, status: str = "needs_response", reason: str = "fraudulent",
            dispute_id: str | None = None, charge_id: str | None = None, currency: str = "usd",
            created: int | None = None) -> dict[str, Any]:
    return {
        "id": dispute_id or _stripe_id("dp"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge_id or _stripe_id("ch"),
        "created": int(time.time()) if created is None else created,
        "currency": currency,
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False,
                             "past_due": False, "submission_count": 0},
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }
