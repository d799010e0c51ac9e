"""Refunds as Stripe makes them at the pinned API version, which localstripe does not: `reason`
accepted, more than the unrefunded amount refused, `Idempotency-Key` honoured (the same key answers
the same refund), `refund.*` events sent, and refunds that fail after Stripe accepted them.

- `POST /v1/refunds` (payment_intent or charge, amount, reason, metadata): a card refund succeeds at
  once (`refund.created`, `charge.refunded`); a US bank account refund stays `pending`
  (`refund.created`) until a test moves it.
- `POST /_standin/refunds/<re>/succeed` → `succeeded`; `refund.updated`, `charge.refunded`.
- `POST /_standin/refunds/<re>/fail` (optional `{"failure_reason": "expired_or_canceled_card"}`; also
  `lost_or_stolen_card`, `unknown`) → `failed`, as a refund to a closed card fails days later;
  `refund.updated`, `refund.failed`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import Charge, Event, PaymentIntent, Refund
from localstripe.webhooks import schedule_webhook

from .routing import Call, Routes, json_response, stripe_error

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
FAILURE_REASONS = ("expired_or_canceled_card", "lost_or_stolen_card", "unknown")
_HOLDING = ("pending", "succeeded")
_KNOWN = {"payment_intent", "charge", "amount", "reason", "metadata", "expand"}

# Idempotency-Key → (the request's parameters, the refund's id), as Stripe keeps them for 24 h.
_BY_KEY: dict[str, tuple[str, str]] = {}


def forget_all() -> None:
    _BY_KEY.clear()


def _charge_of(data: dict[str, Any]) -> Any:
    pi_id, charge_id = data.get("payment_intent"), data.get("charge")
    if isinstance(pi_id, str):
        pi = PaymentIntent._api_retrieve(pi_id)
        charge = pi.latest_charge
        if charge is None or pi.status != "succeeded":
            raise UserError(
                400,
                f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                {"code": "charge_not_refundable", "param": "payment_intent"},
            )
        return Charge._api_retrieve(charge if isinstance(charge, str) else charge.id)
    if isinstance(charge_id, str):
        return Charge._api_retrieve(charge_id)
    raise UserError(400, "One of payment_intent or charge is required.", {"code": "parameter_missing"})


def _is_bank_debit(charge: Any) -> bool:
    details = getattr(charge, "payment_method_details", None) or {}
    return isinstance(details, dict) and details.get("type") == "us_bank_account"


def _unrefunded(charge: Any) -> int:
    held = sum(r.amount for r in Refund._api_list_all("", charge=charge.id)._list if r.status in _HOLDING)
    return charge.amount - held


def _export(refund: Any, expand: Any = None) -> dict[str, Any]:
    return refund._export(expand=expand)


async def _create(call: Call, forward: Any) -> web.StreamResponse:
    if call.secret_key is None:
        return stripe_error(401, "Invalid API Key provided.")
    data = dict(call.data)
    unknown = set(data) - _KNOWN
    if unknown:
        return stripe_error(400, "Received unknown parameters: " + ", ".join(sorted(unknown)), code="parameter_unknown")
    key = call.request.headers.get("Idempotency-Key")
    fingerprint = json.dumps(data, sort_keys=True, default=str)
    if key and key in _BY_KEY:
        seen, refund_id = _BY_KEY[key]
        if seen != fingerprint:
            return stripe_error(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                type_="idempotency_error",
            )
        return json_response(_export(Refund._api_retrieve(refund_id), data.get("expand")))
    reason = data.get("reason")
    if reason is not None and reason not in REASONS:
        return stripe_error(400, f"Invalid reason: must be one of {', '.join(REASONS)}", param="reason")
    charge = _charge_of(data)
    amount = int(data["amount"]) if data.get("amount") is not None else _unrefunded(charge)
    left = _unrefunded(charge)
    if left <= 0:
        return stripe_error(400, f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
    if amount > left:
        return stripe_error(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).",
            code="amount_too_large",
            param="amount",
        )
    refund = Refund(charge=charge.id, amount=amount, metadata=data.get("metadata") or {})
    refund.payment_intent = getattr(charge, "payment_intent", None) or data.get("payment_intent")
    refund.reason = reason
    refund.failure_reason = None
    refund.object = "refund"
    if key:
        _BY_KEY[key] = (fingerprint, refund.id)
    if _is_bank_debit(charge):
        refund.status = "pending"  # a refund to a bank account takes days
        schedule_webhook(Event("refund.created", refund))
    else:
        schedule_webhook(Event("refund.created", refund))
        schedule_webhook(Event("charge.refunded", charge))
    return json_response(_export(refund, data.get("expand")))


def _refund(refund_id: str) -> Any:
    return Refund._api_retrieve(refund_id)


async def _succeed(call: Call) -> web.StreamResponse:
    refund = _refund(call["id"])
    if refund.status != "pending":
        return stripe_error(400, f"{refund.id} is {refund.status}, not pending.")
    refund.status = "succeeded"
    schedule_webhook(Event("refund.updated", refund))
    schedule_webhook(Event("charge.refunded", Charge._api_retrieve(refund.charge)))
    return json_response(_export(refund))


async def _fail(call: Call) -> web.StreamResponse:
    refund = _refund(call["id"])
    why = str(call.data.get("failure_reason") or "expired_or_canceled_card")
    if why not in FAILURE_REASONS:
        return stripe_error(400, f"Unknown failure_reason {why!r}; one of {list(FAILURE_REASONS)}.")
    if refund.status not in _HOLDING:
        return stripe_error(400, f"{refund.id} is {refund.status}; only a pending or succeeded refund can fail.")
    refund.status = "failed"
    refund.failure_reason = why
    schedule_webhook(Event("refund.updated", refund))
    schedule_webhook(Event("refund.failed", refund))
    return json_response(_export(refund))


def register(routes: Routes) -> None:
    routes.add("POST", "/v1/refunds", _create, auth="wrap")
    routes.add("POST", r"/_standin/refunds/(?P<id>[^/]+)/succeed", _succeed, auth="none")
    routes.add("POST", r"/_standin/refunds/(?P<id>[^/]+)/fail", _fail, auth="none")
