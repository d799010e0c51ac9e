"""A decline and a retry on one PaymentIntent can arrive in either order; for those the worker
asks Stripe (here localstripe, a real peer over HTTP) for the current state instead of guessing."""

from __future__ import annotations

import stripe

from tests.factories import (
    card_payment_intent,
    invoice_state,
    make_invoice_with_card_payment,
    make_practice,
    payment_state,
)
from tests.stripe_events import card_declined, event, payment_intent
from tests.webhooks.conftest import send_and_apply

SECRET_KEY = "sk_test_webhook_refetch"


def _stripe(localstripe) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}, max_network_retries=0)


def test_a_late_decline_snapshot_does_not_fail_a_payment_stripe_has_taken(pipeline, stripe_http, localstripe):
    practice = make_practice(with_webhook_secret=True, stripe_secret_key=SECRET_KEY, stripe_api_base=localstripe.url)
    pi = card_payment_intent(_stripe(localstripe), 5_500, confirm=True)
    assert pi.status == "succeeded"
    card = make_invoice_with_card_payment(practice, 5_500, status="processing", payment_intent_id=pi.id)
    invoice_id, payment_id = card.invoice_id, card.payment_id

    # An old snapshot from an earlier, declined attempt arrives after our row moved on.
    stale = event(
        "payment_intent.payment_failed",
        payment_intent(pi_id=pi.id, amount=5_500, status="requires_payment_method", last_payment_error=card_declined()),
    )
    assert send_and_apply(pipeline, stripe_http, practice, stale) == "applied"
    assert payment_state(payment_id)["status"] == "succeeded"
    assert invoice_state(invoice_id)["status"] == "paid"


def test_a_late_processing_snapshot_does_not_revive_a_declined_payment(pipeline, stripe_http, localstripe):
    practice = make_practice(with_webhook_secret=True, stripe_secret_key=SECRET_KEY, stripe_api_base=localstripe.url)
    client = _stripe(localstripe)
    pi = card_payment_intent(client, 2_000, payment_method="pm_card_chargeCustomerFail")
    try:
        client.v1.payment_intents.confirm(pi.id)
    except stripe.CardError:
        pass
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
    card = make_invoice_with_card_payment(practice, 2_000, status="failed", payment_intent_id=pi.id)
    invoice_id, payment_id = card.invoice_id, card.payment_id

    stale = event("payment_intent.processing", payment_intent(pi_id=pi.id, amount=2_000, status="processing"))
    assert send_and_apply(pipeline, stripe_http, practice, stale) == "ignored"
    assert payment_state(payment_id)["status"] == "failed"
    assert invoice_state(invoice_id)["status"] == "open"
