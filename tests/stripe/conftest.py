"""Fixtures of the card-payment tests: a practice on the session's localstripe (the flaky hop to it, `flaky`,
is the root conftest's), the receiver registered for it."""

from __future__ import annotations

import pytest

from tests.factories import PayingClient, make_paying_client

# Every PaymentIntent event type the receiver should see; an empty list would mean "none" to localstripe.
PI_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
]
WEBHOOK_NAME = "clinicpay-stripe-tests"


@pytest.fixture
def paying(http, localstripe) -> PayingClient:
    return make_paying_client(http, localstripe.url)


@pytest.fixture
def webhooks_to(localstripe, receiver):
    """Register the receiver for one practice (one registration, replaced by each test: localstripe
    cannot delete one). `webhooks_to(None)` mutes it."""

    def register(paying: PayingClient | None) -> None:
        if paying is None:
            localstripe.register_webhook(WEBHOOK_NAME, receiver.url + "/muted", "whsec_muted", ["none.none"])
            return
        localstripe.register_webhook(
            WEBHOOK_NAME, receiver.webhook_url(paying.practice.group_id), paying.keys.webhook_secret, PI_EVENTS
        )

    yield register
    register(None)
