"""The Stripe.js stand-in (stripe-js-standin.js), served where localstripe served its own, and the
publishable-key read of a PaymentIntent that `stripe.retrievePaymentIntent(clientSecret)` makes."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from localstripe.resources import PaymentIntent

from .routing import Call, Routes, json_response, stripe_error

SCRIPT = Path(__file__).with_name("stripe-js-standin.js")


async def _script(call: Call) -> web.StreamResponse:
    return web.Response(text=SCRIPT.read_text(), content_type="application/javascript")


async def _public_intent(call: Call) -> web.StreamResponse:
    pi = PaymentIntent._api_retrieve(call["id"])
    if call.data.get("client_secret") != pi.client_secret or not str(call.data.get("key", "")).startswith("pk_"):
        return stripe_error(404, "No such payment_intent.", code="resource_missing")
    exported = pi._export()
    keep = ("id", "object", "amount", "currency", "status", "client_secret", "next_action", "last_payment_error")
    return json_response({k: exported.get(k) for k in keep})


def register(routes: Routes) -> None:
    routes.add("GET", "/js.stripe.com/v3/", _script, auth="none")
    routes.add("GET", r"/v1/payment_intents/(?P<id>[^/]+)/_standin_public", _public_intent, auth="none")
