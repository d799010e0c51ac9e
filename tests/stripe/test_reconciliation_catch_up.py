"""Reconciliation catches up every event type we handle, not only PaymentIntents: a refund or a dispute
whose webhook never came is applied from Stripe's event list, once."""

from __future__ import annotations

import uuid

import httpx
import stripe

from tests.factories import card_payments_of, make_invoice, reconcile, stored_events
from tests.stripe.browser import pay, start_payment
from tests.stripe.test_reconciliation import _stripe
from tests.stripe_events import deliver, dispute


def _paid_invoice(http, paying, total: int) -> tuple[str, str]:
    """An invoice paid by card whose webhook never came, settled by a first run: (invoice id, PI id)."""
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = start_payment(http, paying.headers, invoice_id)
    r = pay(http, paying.headers, started, payment_method="pm_card_visa")
    assert r.status_code == 200, r.text
    assert reconcile(http, paying.practice)["status"] == "succeeded"
    assert _invoice(http, paying, invoice_id)["status"] == "paid"
    (payment,) = card_payments_of(invoice_id)
    return invoice_id, payment.stripe_payment_intent_id


def _invoice(http, paying, invoice_id: str) -> dict:
    return http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()


def _emitted_not_delivered(localstripe, event_type: str, **what) -> dict:
    """An event Stripe lists (GET /v1/events) whose webhook never reached us."""
    r = httpx.post(f"{localstripe.url}/_standin/events", json={"type": event_type, **what}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_refund_whose_webhook_never_came_is_applied_once(http, localstripe, paying, receiver, worker):
    invoice_id, pi_id = _paid_invoice(http, paying, 10_000)
    client = _stripe(localstripe, paying)
    # Refunded at Stripe (say from the Dashboard). Stripe lists its refund.created and charge.refunded
    # events, but no endpoint of this practice gets them: the webhooks are lost.
    refund = client.v1.refunds.create(params={"payment_intent": pi_id, "amount": 2_500})
    charge_id = client.v1.payment_intents.retrieve(pi_id).latest_charge
    assert isinstance(charge_id, str)  # the pinned version: an id, not an embedded Charge
    listed = [
        e for e in client.v1.events.list(params={"type": "charge.refunded"}).data if e.data.object.id == charge_id
    ]
    assert len(listed) == 1
    lost = listed[0].to_dict(for_json=True)
    assert lost["api_version"] == stripe.api_version and "refunds" not in lost["data"]["object"]
    assert _invoice(http, paying, invoice_id)["status"] == "paid"

    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded", job
    # The first of the refund's events to be caught up applies it; the other then changes nothing.
    [fixed] = job["fixed"]
    assert fixed["event_type"] in ("refund.created", "charge.refunded") and fixed["payment_intent"] == pi_id, job
    state = _invoice(http, paying, invoice_id)
    assert (state["status"], state["balance_cents"]) == ("partially_paid", 2_500), state

    # The next run (its window overlaps) sees the same event again and changes nothing.
    again = reconcile(http, paying.practice)
    assert again["status"] == "succeeded" and again["fixed"] == []
    assert _invoice(http, paying, invoice_id)["balance_cents"] == 2_500
    assert refund.amount == 2_500

    # And the webhook arriving after all (Stripe retries for days) is the same event, not a second refund.
    with httpx.Client(timeout=30) as client:
        late = deliver(client, receiver.webhook_url(paying.practice.group_id), lost, paying.keys.webhook_secret)
    assert late.status_code == 200, late.text
    rows = [e for e in stored_events(uuid.UUID(paying.practice.group_id)) if e["stripe_event_id"] == lost["id"]]
    assert len(rows) == 1 and rows[0]["outcome"] in ("applied", "ignored"), rows
    assert _invoice(http, paying, invoice_id)["balance_cents"] == 2_500


def test_a_dispute_whose_webhook_never_came_flags_the_invoice(http, localstripe, paying, worker):
    invoice_id, pi_id = _paid_invoice(http, paying, 8_000)
    assert _invoice(http, paying, invoice_id)["disputed"] is False
    opened = dispute(amount=8_000, payment_intent=pi_id, status="needs_response")
    lost = _emitted_not_delivered(localstripe, "charge.dispute.created", object=opened)

    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded", job
    assert [(f["event_id"], f["event_type"], f["object"]) for f in job["fixed"]] == [
        (lost["id"], "charge.dispute.created", opened["id"])
    ]
    state = _invoice(http, paying, invoice_id)
    assert state["disputed"] is True
    # Opening a dispute moves no money (only the funds events do).
    assert (state["status"], state["balance_cents"]) == ("paid", 0)


def test_another_practices_lost_refund_changes_nothing_here(http, localstripe, paying, worker):
    invoice_id, _ = _paid_invoice(http, paying, 6_000)
    stranger = dispute(amount=6_000, payment_intent="pi_someoneelse000000000000")
    _emitted_not_delivered(localstripe, "charge.dispute.created", object=stranger)

    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded" and job["fixed"] == [] and job["errors"] == []
    assert _invoice(http, paying, invoice_id)["disputed"] is False
