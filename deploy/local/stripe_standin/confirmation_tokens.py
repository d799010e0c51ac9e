"""ConfirmationTokens: what Stripe.js's `createConfirmationToken` makes from the Payment Element.

`POST /v1/confirmation_tokens` with the publishable key (`key=pk_…`, as Stripe.js sends it) and
`payment_method_data` — a card (`card[number]`, `card[exp_month]`, `card[exp_year]`, `card[cvc]`)
or a US bank account (`us_bank_account[routing_number]`, `[account_number]`,
`[account_holder_type]`, with `billing_details[name]`) — or, as Stripe's test helper, with the
secret key at `/v1/test_helpers/confirmation_tokens` and `payment_method=pm_card_visa`.
`GET /v1/confirmation_tokens/<id>` (secret key) reads one. A token is single use and expires 15
minutes after it is made; `POST /_standin/confirmation_tokens/<id>/expire` makes it expire now.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import PaymentMethod, fingerprint

from .routing import Call, Routes, json_response, stripe_error

LIFETIME_SECONDS = 15 * 60
# Stripe's test bank: routing 110000000; an account number must be 4-17 digits.
TEST_ROUTING_NUMBER = "110000000"


@dataclass
class Token:
    id: str
    payment_method: Any  # a localstripe PaymentMethod
    created: int
    expires_at: int
    return_url: str | None = None
    mandate_data: dict[str, Any] | None = None
    payment_intent: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return str(self.payment_method.type)

    def export(self) -> dict[str, Any]:
        pm = self.payment_method
        preview: dict[str, Any] = {"type": pm.type, "billing_details": pm.billing_details or {}}
        if pm.type == "card":
            preview["card"] = {**pm.card, "wallet": None, "checks": {"cvc_check": "pass"}}
        elif pm.type == "us_bank_account":
            preview["us_bank_account"] = dict(pm.us_bank_account)
        return {
            "id": self.id,
            "object": "confirmation_token",
            "created": self.created,
            "expires_at": self.expires_at if self.payment_intent is None else None,
            "livemode": False,
            "mandate_data": self.mandate_data,
            "payment_intent": self.payment_intent,
            "payment_method_options": None,
            "payment_method_preview": preview,
            "return_url": self.return_url,
            "setup_future_usage": None,
            "setup_intent": None,
            "shipping": None,
            "use_stripe_sdk": True,
        }

    @property
    def expired(self) -> bool:
        return self.expires_at <= int(time.time())


TOKENS: dict[str, Token] = {}


def us_bank_account_payment_method(details: dict[str, Any], billing_details: dict[str, Any] | None) -> Any:
    """localstripe knows cards and SEPA only: a SEPA method, made into a US bank account."""
    routing, account = str(details.get("routing_number") or ""), str(details.get("account_number") or "")
    if not (routing.isdigit() and len(routing) == 9) or not (account.isdigit() and 4 <= len(account) <= 17):
        raise UserError(
            400,
            "Invalid bank account: a 9-digit routing number and a 4-17 digit account number.",
            {"code": "invalid_bank_account", "param": "payment_method_data[us_bank_account]"},
        )
    pm = PaymentMethod(
        type="sepa_debit", sepa_debit={"iban": "DE89370400440532013000"}, billing_details=billing_details
    )
    del pm.sepa_debit
    del pm._sepa_debit_iban
    pm.type = "us_bank_account"
    pm.us_bank_account = {
        "account_holder_type": details.get("account_holder_type") or "individual",
        "account_type": details.get("account_type") or "checking",
        "bank_name": "STRIPE TEST BANK" if routing == TEST_ROUTING_NUMBER else "TEST BANK",
        "financial_connections_account": None,
        "fingerprint": fingerprint(routing + account),
        "last4": account[-4:],
        "networks": {"preferred": "ach", "supported": ["ach"]},
        "routing_number": routing,
    }
    return pm


# Stripe's names for test cards (https://docs.stripe.com/testing) that localstripe lacks or gets wrong:
# its pm_card_visa_chargeDeclined (4000000000000002) declines only when attached to a customer, where
# Stripe declines the charge; 4000000000000341 is the card localstripe declines when charging.
_MORE_TEST_CARDS = {
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_visa_chargeDeclined": "4000000000000341",
}


def _payment_method_from(data: dict[str, Any]) -> Any:
    if isinstance(data.get("payment_method"), str):  # the test helper's form
        name = data["payment_method"]
        if name in _MORE_TEST_CARDS:  # Stripe's test payment methods localstripe does not know
            card = {"number": _MORE_TEST_CARDS[name], "exp_month": 12, "exp_year": 2030, "cvc": "123"}
            return PaymentMethod(type="card", card=card)
        return PaymentMethod._api_retrieve(name)
    pm_data = data.get("payment_method_data")
    if not isinstance(pm_data, dict):
        raise UserError(400, "Missing required param: payment_method_data.", {"code": "parameter_missing"})
    billing = pm_data.get("billing_details") if isinstance(pm_data.get("billing_details"), dict) else None
    kind = pm_data.get("type")
    if kind == "card":
        card = pm_data.get("card")
        if not isinstance(card, dict):
            raise UserError(400, "Missing card details.", {"code": "parameter_missing", "param": "card"})
        card = {k: card.get(k) for k in ("number", "exp_month", "exp_year", "cvc")}
        card["number"] = str(card.get("number") or "").replace(" ", "")
        try:
            return PaymentMethod(type="card", card=card, billing_details=billing)
        except UserError:
            raise UserError(
                402, "Your card number is incorrect.", {"code": "incorrect_number", "type": "card_error"}
            ) from None
    if kind == "us_bank_account":
        details = pm_data.get("us_bank_account")
        return us_bank_account_payment_method(details if isinstance(details, dict) else {}, billing)
    raise UserError(400, f"Unsupported payment_method_data[type]: {kind!r}.", {"code": "parameter_invalid_empty"})


async def _create(call: Call) -> web.StreamResponse:
    pm = _payment_method_from(call.data)
    now = int(time.time())
    token = Token(
        id="ctoken_" + secrets.token_hex(12),
        payment_method=pm,
        created=now,
        expires_at=now + LIFETIME_SECONDS,
        return_url=call.data.get("return_url") if isinstance(call.data.get("return_url"), str) else None,
        mandate_data=call.data.get("mandate_data") if isinstance(call.data.get("mandate_data"), dict) else None,
    )
    TOKENS[token.id] = token
    return json_response(token.export())


def token_or_error(token_id: str) -> Token:
    token = TOKENS.get(token_id)
    if token is None:
        raise UserError(
            404, f"No such confirmationtoken: '{token_id}'", {"code": "resource_missing", "param": "confirmation_token"}
        )
    return token


async def _retrieve(call: Call) -> web.StreamResponse:
    return json_response(token_or_error(call["id"]).export())


async def _expire(call: Call) -> web.StreamResponse:
    token = TOKENS.get(call["id"])
    if token is None:
        return stripe_error(404, "No such token.", code="resource_missing")
    token.expires_at = int(time.time()) - 1
    return json_response(token.export())


def register(routes: Routes) -> None:
    routes.add("POST", "/v1/confirmation_tokens", _create, auth="publishable")
    routes.add("POST", "/v1/test_helpers/confirmation_tokens", _create)
    routes.add("GET", r"/v1/confirmation_tokens/(?P<id>[^/]+)", _retrieve)
    routes.add("POST", r"/_standin/confirmation_tokens/(?P<id>[^/]+)/expire", _expire, auth="none")
