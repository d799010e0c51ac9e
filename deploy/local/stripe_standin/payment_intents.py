"""PaymentIntents as the Payment Element flow makes them: created with dynamic payment methods
(`automatic_payment_methods`, `allowed_payment_method_types` — which localstripe refuses, so they
are taken off and kept on the object) and confirmed with a ConfirmationToken.

A card token confirms through localstripe's own card logic (3-D Secure test cards answer
`requires_action`, a declining card 402); a US bank account token starts an ACH debit that stays
`processing` (see `ach`). 3-D Secure failed in the browser emits `payment_intent.payment_failed`,
as Stripe does (localstripe emits nothing there).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import Event, PaymentIntent
from localstripe.webhooks import schedule_webhook

from . import ach
from .confirmation_tokens import token_or_error
from .routing import Call, Routes, json_response, stripe_error

_TRANSLATED = ("automatic_payment_methods", "allowed_payment_method_types", "excluded_payment_method_types")
_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def _keep_payment_method_settings(pi: Any, settings: dict[str, Any]) -> None:
    allowed = settings.get("allowed_payment_method_types")
    automatic = settings.get("automatic_payment_methods")
    if isinstance(automatic, dict):
        pi.automatic_payment_methods = {
            "enabled": str(automatic.get("enabled")).lower() == "true",
            "allow_redirects": automatic.get("allow_redirects") or "always",
        }
    pi.payment_method_types = list(allowed) if isinstance(allowed, list) and allowed else ["card"]


async def _create(call: Call, forward: Any) -> web.StreamResponse:
    data = dict(call.data)
    settings = {key: data.pop(key) for key in _TRANSLATED if key in data}
    token = data.pop("confirmation_token", None)
    if not settings and token is None:
        return await forward(call.request)
    if call.secret_key is None:
        return stripe_error(401, "Invalid API Key provided.")
    confirm = str(data.pop("confirm", "false")).lower() == "true"
    data.pop("key", None)
    expand = data.pop("expand", None)
    pi = PaymentIntent._api_create(**data)
    _keep_payment_method_settings(pi, settings)
    if confirm:
        if token is not None:
            confirm_with_token(pi, token)
        elif pi.payment_method:  # a payment method given at create (a test's pm_card_visa)
            PaymentIntent._api_confirm(pi.id)
        else:
            raise UserError(
                400, "Confirm with a confirmation_token or a payment_method.", {"code": "parameter_missing"}
            )
    return json_response(pi._export(expand=expand))


def confirm_with_token(pi: Any, token_id: str) -> None:
    token = token_or_error(token_id)
    if token.payment_intent is not None:
        raise UserError(
            400,
            "This ConfirmationToken has already been used.",
            {"code": "confirmation_token_already_used", "param": "confirmation_token"},
        )
    if token.expired:
        raise UserError(
            400,
            "This ConfirmationToken has expired.",
            {"code": "expired_confirmation_token", "param": "confirmation_token"},
        )
    if pi.status not in _CONFIRMABLE:
        raise UserError(
            400,
            f"This PaymentIntent's status is {pi.status}, so it cannot be confirmed.",
            {"code": "payment_intent_unexpected_state"},
        )
    allowed = getattr(pi, "payment_method_types", None) or ["card"]
    if token.type not in allowed and not (token.type == "card" and "card" in allowed):
        raise UserError(
            400,
            f"The payment method type {token.type!r} is not allowed on this PaymentIntent.",
            {"code": "payment_intent_invalid_parameter", "param": "confirmation_token"},
        )
    pm = token.payment_method
    if pi.customer:
        pm.customer = pi.customer
    token.payment_intent = pi.id
    pi.payment_method = pm.id
    pi.latest_charge = None  # a new attempt after a decline
    pi.next_action = None
    pi._authentication_failed = False
    if token.type == "us_bank_account":
        ach.start_debit(pi, pm)
        return
    PaymentIntent._api_confirm(pi.id)


async def _confirm(call: Call, forward: Any) -> web.StreamResponse:
    token = call.data.get("confirmation_token")
    if token is None:
        return await forward(call.request)
    if call.secret_key is None:
        return stripe_error(401, "Invalid API Key provided.")
    pi = PaymentIntent._api_retrieve(call["id"])
    unknown = set(call.data) - {"confirmation_token", "expand", "return_url", "use_stripe_sdk", "mandate_data"}
    if unknown:
        return stripe_error(400, "Received unknown parameters: " + ", ".join(sorted(unknown)), code="parameter_unknown")
    confirm_with_token(pi, str(token))
    return json_response(pi._export(expand=call.data.get("expand")))


async def _authenticate(call: Call, forward: Any) -> web.StreamResponse:
    """What Stripe.js's 3-D Secure window does; a refusal fails the attempt with an event, as Stripe does."""
    response = await forward(call.request)
    if response.status == 200 and str(call.data.get("success", "false")).lower() != "true":
        body = json.loads(response.body) if isinstance(response, web.Response) and response.body else {}
        if body.get("status") == "requires_payment_method":
            schedule_webhook(Event("payment_intent.payment_failed", PaymentIntent._api_retrieve(call["id"])))
    return response


def register(routes: Routes) -> None:
    routes.add("POST", "/v1/payment_intents", _create, auth="wrap")
    routes.add("POST", r"/v1/payment_intents/(?P<id>[^/]+)/confirm", _confirm, auth="wrap")
    routes.add("POST", r"/v1/payment_intents/(?P<id>[^/]+)/_authenticate", _authenticate, auth="wrap")
