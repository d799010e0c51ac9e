"""ACH Direct Debit (us_bank_account): a debit stays `processing` for days, then settles or fails.

Confirming a PaymentIntent with a US bank account starts a pending charge and emits
`payment_intent.processing`. A test (or a demo) moves it on:

- `POST /_standin/ach/<pi>/settle` → the charge succeeds; `payment_intent.succeeded`.
- `POST /_standin/ach/<pi>/fail` (optional `{"code": "insufficient_funds"}`; also
  `account_closed`, `no_account`, `debit_not_authorized`) → the charge fails and the
  PaymentIntent goes back to `requires_payment_method` with `last_payment_error`;
  `payment_intent.payment_failed`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import BalanceTransaction, Charge, Event, PaymentIntent
from localstripe.webhooks import schedule_webhook

from .routing import Call, Routes, json_response, stripe_error

# Stripe's messages for the ACH return codes its test accounts produce.
FAILURES = {
    "insufficient_funds": "The customer's account has insufficient funds to cover this payment.",
    "account_closed": "The customer's bank account has been closed.",
    "no_account": "The customer's bank account could not be located.",
    "debit_not_authorized": "The customer has notified their bank that this payment was unauthorized.",
}


def start_debit(pi: Any, pm: Any) -> None:
    charge = Charge(amount=pi.amount, currency=pi.currency, customer=pi.customer, source=pm.id)
    charge.payment_intent = pi.id
    charge.status = "pending"
    charge.payment_method_details = {"type": "us_bank_account", "us_bank_account": dict(pm.us_bank_account)}
    pi.latest_charge = charge
    schedule_webhook(Event("payment_intent.processing", pi))


def _pending_debit(pi_id: str) -> tuple[Any, Any]:
    pi = PaymentIntent._api_retrieve(pi_id)
    charge = pi.latest_charge
    details = getattr(charge, "payment_method_details", None) or {}
    if charge is None or details.get("type") != "us_bank_account" or charge.status != "pending":
        raise UserError(400, f"{pi_id} has no ACH debit processing (status {pi.status}).")
    return pi, charge


async def _settle(call: Call) -> web.StreamResponse:
    pi, charge = _pending_debit(call["id"])
    txn = BalanceTransaction(
        amount=charge.amount,
        currency=charge.currency,
        description=None,
        exchange_rate=1.0,
        reporting_category="charge",
        source=charge.id,
        type="charge",
    )
    charge.balance_transaction = txn.id
    charge.status = "succeeded"
    pi._on_success()
    return json_response(pi._export())


async def _fail(call: Call) -> web.StreamResponse:
    pi, charge = _pending_debit(call["id"])
    code = str(call.data.get("code") or "insufficient_funds")
    if code not in FAILURES:
        return stripe_error(400, f"Unknown ACH failure code {code!r}; one of {sorted(FAILURES)}.")
    charge.status = "failed"
    charge.failure_code = code
    charge.failure_message = FAILURES[code]
    schedule_webhook(Event("payment_intent.payment_failed", pi))
    return json_response(pi._export())


def register(routes: Routes) -> None:
    routes.add("POST", r"/_standin/ach/(?P<id>[^/]+)/settle", _settle, auth="none")
    routes.add("POST", r"/_standin/ach/(?P<id>[^/]+)/fail", _fail, auth="none")
