"""clinicpay's additions to localstripe, the in-memory Stripe stand-in of development and tests.

localstripe (PyPI) answers as Stripe did around 2017-2019 and lacks what the Payment Element flow
and clinicpay's own webhook endpoint need. These modules add them inside the stand-in's process,
as aiohttp middleware in front of localstripe's routes (no extra network hop):

- `webhook_endpoints`: /v1/webhook_endpoints (create answers the signing `secret`; deliveries
  signed with it and stamped with the endpoint's api_version),
- `payment_method_domains`: /v1/payment_method_domains,
- `confirmation_tokens` and `payment_intents`: ConfirmationTokens (made by Stripe.js with the
  publishable key) and PaymentIntents created with dynamic payment methods and confirmed with one,
- `ach`: ACH Direct Debit (us_bank_account) payments that stay `processing` until a test moves them
  (`POST /_standin/ach/<pi>/settle` or `/fail`),
- `refunds`: /v1/refunds with `reason`, idempotency keys and Stripe's over-refund refusal, `refund.*`
  events, and refunds that fail later (`POST /_standin/refunds/<re>/fail`, or `/succeed` for a
  pending bank-account refund),
- `access`: restricted keys that lack a permission (`POST /_standin/restricted_keys`) and Stripe's
  refusal of non-public URLs and domains (`POST /_standin/config {"public_urls_only": true}`),
- `stripe_js`: the Stripe.js stand-in (Payment Element subset) served at /js.stripe.com/v3/,
- `undelivered_events`: events Stripe lists but never delivered (`POST /_standin/events`), for
  reconciliation's catch-up,
- `pinned`: in front of all of it, the pinned API version's rules — requests it would refuse are
  refused as Stripe refuses them, answers and events reduced to its shapes.

`install(app)` wires them into localstripe's aiohttp application before it starts.
"""

from __future__ import annotations

from aiohttp import web

from . import (
    access,
    ach,
    confirmation_tokens,
    payment_intents,
    payment_method_domains,
    pinned,
    refunds,
    stripe_js,
    undelivered_events,
    webhook_endpoints,
)
from .routing import Routes, standin_middleware


def install(app: web.Application) -> None:
    routes = Routes()
    for module in (
        access,
        webhook_endpoints,
        payment_method_domains,
        confirmation_tokens,
        payment_intents,
        ach,
        refunds,
        stripe_js,
        undelivered_events,
    ):
        module.register(routes)
    webhook_endpoints.replace_delivery()
    # Outermost: our routes answer before localstripe's own middlewares (auth, error rendering) run.
    app.middlewares.insert(0, standin_middleware(routes))
    # Outermost of all: clinicpay sees the pinned version's Stripe, whoever answers behind it.
    app.middlewares.insert(0, pinned.middleware())
