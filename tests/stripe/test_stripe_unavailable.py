"""Stripe unreachable, rate limited or failing mid-payment: the client is told to try again, and
nothing is ever charged twice — our own records decide what may be sent again (localstripe, unlike
Stripe, ignores idempotency keys, so these tests prove our side alone dedupes)."""

from __future__ import annotations

import stripe

from tests.factories import card_payments_of, make_invoice, make_paying_client
from tests.stripe.browser import confirmation_token

CONFIRM = r"^/v1/payment_intents/[^/]+/confirm$"
CREATE = r"^/v1/payment_intents$"


def _charges_and_intents(localstripe, paying):
    client = stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    intents = [p for p in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()]
    charges = [c for c in client.v1.charges.list(params={"limit": 100}).auto_paging_iter()]
    return charges, intents


def _ready_to_confirm(http, paying, total):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert r.status_code == 201, r.text
    token = confirmation_token(r.json(), payment_method="pm_card_visa")
    return invoice_id, r.json()["payment_id"], token


def _busy(r):
    assert r.status_code == 503, r.text
    assert r.json()["error"] == {
        "code": "stripe_unavailable",
        "message": "Payment service is busy, please try again",
        "param": None,
    }


def test_answer_to_confirm_lost_then_retried_charges_once(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id, payment_id, token = _ready_to_confirm(http, paying, 6_000)

    flaky.fail("POST", CONFIRM, status=None, after_forward=True)  # Stripe charged; the answer never came back
    _busy(
        http.post(
            f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
        )
    )
    [payment] = card_payments_of(invoice_id)
    assert payment.status == "pending" and payment.stripe_payment_intent_id  # the PI id was kept

    r = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    charges, intents = _charges_and_intents(localstripe, paying)
    assert len(intents) == 1 and len(charges) == 1
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["paid_cents"] == 6_000


def test_stripe_down_when_creating_the_payment_intent(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id, payment_id, token = _ready_to_confirm(http, paying, 4_500)

    flaky.fail("POST", CREATE, status=503)
    _busy(
        http.post(
            f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
        )
    )
    flaky.fail("POST", CREATE, status=500, after_forward=True)  # created at Stripe, answer lost: nothing stored
    _busy(
        http.post(
            f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
        )
    )
    assert [p.stripe_payment_intent_id for p in card_payments_of(invoice_id)] == [None]

    r = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    charges, intents = _charges_and_intents(localstripe, paying)
    # The orphan from the lost answer was never confirmed: one charge, for the right amount.
    assert len(charges) == 1 and charges[0].amount == 4_500
    assert len([i for i in intents if i.status == "succeeded"]) == 1


def test_starting_needs_no_stripe_and_rate_limited_paying_leaves_it_to_retry(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 2_000)
    flaky.fail("POST", r"^/v1/", status=429, times=100)  # Stripe refuses everything for a moment
    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert r.status_code == 201, r.text
    assert flaky.failed == []  # starting asked Stripe nothing: nothing exists there until the client pays
    flaky.heal()
    token = confirmation_token(r.json())
    flaky.fail("POST", r"^/v1/customers$", status=429)
    _busy(
        http.post(
            f"/v1/portal/payments/{r.json()['payment_id']}/confirm",
            headers=paying.headers,
            json={"confirmation_token": token},
        )
    )
    [payment] = card_payments_of(invoice_id)
    assert payment.status == "pending" and payment.stripe_payment_intent_id is None
    assert payment.stripe_confirmation_token_id is None  # the token is not spent: the same press may retry
    again = http.post(
        f"/v1/portal/payments/{r.json()['payment_id']}/confirm",
        headers=paying.headers,
        json={"confirmation_token": token},
    )
    assert again.status_code == 200 and again.json()["status"] == "succeeded", again.text


def test_confirm_failing_at_stripe_leaves_the_payment_to_retry(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    _invoice_id, payment_id, token = _ready_to_confirm(http, paying, 3_300)
    flaky.fail("POST", CONFIRM, status=502)  # refused before Stripe acted
    _busy(
        http.post(
            f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
        )
    )
    assert http.get(f"/v1/portal/payments/{payment_id}", headers=paying.headers).json()["status"] == "pending"
    r = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    assert r.json()["status"] == "succeeded"
    charges, intents = _charges_and_intents(localstripe, paying)
    assert len(intents) == 1 and len(charges) == 1
