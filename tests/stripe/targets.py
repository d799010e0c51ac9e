"""Where the Stripe journeys run: the stand-in in every run, a real Stripe sandbox with `make test-stripe-live`.

The journeys (tests/stripe/test_journeys.py) are one code path over a `StripeTarget`. What differs
between the targets is only what a test cannot do the same way at both:

- keys: the stand-in takes any `sk_test_…`; the live check takes the sandbox's own two keys from
  CLINICPAY_STRIPE_TEST_SECRET_KEY and CLINICPAY_STRIPE_TEST_PUBLISHABLE_KEY;
- the card: Stripe.js's Payment Element is not driven here; a ConfirmationToken is made as Stripe's
  test helper makes one (`POST /v1/test_helpers/confirmation_tokens` with `pm_card_visa`, …), which
  the stand-in answers too;
- how Stripe's word arrives: through the webhook endpoint clinicpay registers when the receiver is
  reachable (the stand-in always; live only when CLINICPAY_PUBLIC_WEBHOOK_BASE_URL names a public
  address forwarded to the receiver's port), else through reconciliation;
- 3-D Secure: the stand-in completes the bank's window over HTTP; at real Stripe that window is a
  page only a person (or a browser on Stripe's site) can answer, so the live check stops at
  `requires_action` and abandons the payment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import stripe

from tests.factories import StripeKeys, new_keys

LIVE_FLAG = "CLINICPAY_STRIPE_LIVE"
LIVE_SECRET_KEY = "CLINICPAY_STRIPE_TEST_SECRET_KEY"
LIVE_PUBLISHABLE_KEY = "CLINICPAY_STRIPE_TEST_PUBLISHABLE_KEY"
LIVE_RECEIVER_PORT = "CLINICPAY_STRIPE_LIVE_RECEIVER_PORT"


def live_run() -> bool:
    """`make test-stripe-live` sets the flag; in that run only the live target runs."""
    return os.environ.get(LIVE_FLAG) == "1"


def live_keys() -> StripeKeys | None:
    secret, publishable = os.environ.get(LIVE_SECRET_KEY, ""), os.environ.get(LIVE_PUBLISHABLE_KEY, "")
    if not (secret.startswith(("sk_test_", "rk_test_")) and publishable.startswith("pk_test_")):
        return None
    return StripeKeys(secret, publishable, webhook_secret="")


def live_webhooks() -> bool:
    """Live webhooks reach the receiver only through a public address someone forwarded to it."""
    base = os.environ.get("CLINICPAY_PUBLIC_WEBHOOK_BASE_URL", "")
    return base.startswith("https://") and os.environ.get(LIVE_RECEIVER_PORT, "").isdigit()


@dataclass
class StripeTarget:
    name: str
    keys: StripeKeys
    # The practice's own Stripe address (the stand-in's), or None for Stripe itself.
    api_base: str | None
    # Whether Stripe's events reach our receiver; otherwise reconciliation must find them.
    webhooks: bool

    @property
    def live(self) -> bool:
        return self.api_base is None

    def client(self) -> stripe.StripeClient:
        extra = {"base_addresses": {"api": self.api_base}} if self.api_base else {}
        return stripe.StripeClient(self.keys.secret_key, max_network_retries=2, **extra)

    def confirmation_token(self, payment_method: str) -> str:
        """What Stripe.js's `createConfirmationToken` gives the page, made with Stripe's test helper."""
        token = self.client().v1.test_helpers.confirmation_tokens.create(params={"payment_method": payment_method})
        return token.id


def standin_target(api_base: str, *, webhooks: bool) -> StripeTarget:
    return StripeTarget("standin-webhooks" if webhooks else "standin-reconciliation", new_keys(), api_base, webhooks)


def live_target() -> StripeTarget | None:
    keys = live_keys()
    return StripeTarget("live", keys, None, live_webhooks()) if keys else None
