"""Webhook events of any API version: one at ours is applied from its payload, one at another (an
endpoint made in the Dashboard on an older default) from its object as Stripe has it now, read at
ours — and sync health says which version the endpoint sends."""

from __future__ import annotations

import uuid

import httpx
import stripe

from tests.factories import card_payment_intent, make_card_payment, make_invoice, payment_state, wait_until_processed
from tests.stripe.test_reconciliation import _stripe
from tests.stripe_events import OLD_API_VERSION, deliver, event, payment_intent


def _succeeded_at_stripe(localstripe, paying, amount: int) -> str:
    pi = card_payment_intent(_stripe(localstripe, paying), amount, confirm=True)
    assert pi.status == "succeeded"
    return pi.id


def _pending_payment(paying, amount: int, pi_id: str) -> tuple[uuid.UUID, str]:
    group_id = uuid.UUID(paying.practice.group_id)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, amount)
    payment_id, _ = make_card_payment(
        group_id, uuid.UUID(invoice_id), amount, status="pending", payment_intent_id=pi_id
    )
    return payment_id, invoice_id


def _deliver_and_apply(receiver, paying, evt) -> str:
    with httpx.Client(timeout=30) as client:
        r = deliver(client, receiver.webhook_url(paying.practice.group_id), evt, paying.keys.webhook_secret)
    assert r.status_code == 200, r.text
    return wait_until_processed(paying.practice.group_id, evt, message=f"{evt['type']} to be applied")["outcome"]


def _health(http, paying) -> dict:
    r = http.get("/v1/settings/stripe/health", headers=paying.practice.admin)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_old_version_event_applies_the_current_object_and_health_names_the_version(
    http, localstripe, paying, receiver, worker
):
    before = _health(http, paying)
    assert before["api_version"] == stripe.api_version
    assert before["endpoint_api_version"] is None and before["endpoint_api_version_note"] is None

    # At our version, the payload is applied as it is: a stale "processing" snapshot moves a pending
    # payment to processing (Stripe is not asked).
    ours_pi = _succeeded_at_stripe(localstripe, paying, 4_000)
    ours_payment, ours_invoice = _pending_payment(paying, 4_000, ours_pi)
    ours = event("payment_intent.processing", payment_intent(pi_id=ours_pi, amount=4_000, status="processing"))
    assert _deliver_and_apply(receiver, paying, ours) == "applied"
    assert payment_state(ours_payment)["status"] == "processing"
    assert _health(http, paying)["endpoint_api_version_note"] is None

    # The same stale snapshot at an older version: its object is read again at ours, where Stripe
    # says succeeded — so the payment is succeeded and the invoice paid, whatever the payload said.
    old_pi = _succeeded_at_stripe(localstripe, paying, 3_000)
    old_payment, old_invoice = _pending_payment(paying, 3_000, old_pi)
    stale = payment_intent(pi_id=old_pi, amount=3_000, status="processing")
    stale["charges"] = {"object": "list", "data": []}  # the older shape: what our handlers never read
    old = event("payment_intent.processing", stale, api_version=OLD_API_VERSION)
    assert _deliver_and_apply(receiver, paying, old) == "applied"
    assert payment_state(old_payment)["status"] == "succeeded"
    invoice = http.get(f"/v1/invoices/{old_invoice}", headers=paying.practice.biller).json()
    assert invoice["status"] == "paid"
    assert http.get(f"/v1/invoices/{ours_invoice}", headers=paying.practice.biller).json()["status"] != "paid"

    health = _health(http, paying)
    assert health["endpoint_api_version"] == OLD_API_VERSION
    assert health["endpoint_api_version_note"].startswith(f"Your endpoint sends version {OLD_API_VERSION}")
    assert stripe.api_version in health["endpoint_api_version_note"]


def test_an_old_version_event_for_an_object_stripe_does_not_know_is_applied_from_its_payload(
    http, localstripe, paying, receiver, worker
):
    # A PaymentIntent the stand-in never saw (Stripe cannot be asked): the payload is what there is.
    pi_id = f"pi_unknown{uuid.uuid4().hex[:14]}"
    payment_id, _ = _pending_payment(paying, 2_500, pi_id)
    old = event(
        "payment_intent.succeeded",
        payment_intent(pi_id=pi_id, amount=2_500, status="succeeded"),
        api_version=OLD_API_VERSION,
    )
    assert _deliver_and_apply(receiver, paying, old) == "applied"
    assert payment_state(payment_id)["status"] == "succeeded"
