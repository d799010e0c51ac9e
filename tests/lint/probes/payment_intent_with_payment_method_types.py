"""A probe for tests/lint/test_type_checker_probe.py, never imported or run: a PaymentIntent created the
way shared/stripe_sync/gateway.py creates one (the SDK's typed params), with `payment_method_types`,
which Stripe removed from PaymentIntents in 2026-09-30.endive and the pinned SDK no longer declares.
mypy must refuse it; the same file without the marked line must pass. (Kept out of `make lint`'s
own mypy run: pyproject.toml [tool.mypy] checks shared/ and services/ only.)"""

from __future__ import annotations

import stripe


def create(client: stripe.StripeClient, amount: int) -> stripe.PaymentIntent:
    params: stripe.params.PaymentIntentCreateParams = {
        "amount": amount,
        "currency": "usd",
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        "payment_method_types": ["card"],  # PROBE: the removed parameter
        "metadata": {"payment_id": "probe"},
    }
    return client.v1.payment_intents.create(params=params, options={"idempotency_key": "pi-create-probe"})
