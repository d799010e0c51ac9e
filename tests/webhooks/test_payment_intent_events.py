"""A client's card payment reaches the ledger through Stripe's webhooks, once, whatever the order."""

from __future__ import annotations

from tests.conftest import poll_until
from tests.stripe_events import card_declined, deliver, event, payment_intent
from tests.webhooks.builders import (
    invoice_state,
    make_invoice_with_card_payment,
    make_practice,
    payment_state,
    stored_event,
    unpaid_invoice_count,
)


def _processed(group_id, evt):  # noqa: ANN001
    return lambda: (row := stored_event(group_id, evt["id"])) and row["processed_at"] and row


def test_payment_succeeded_event_marks_the_invoice_paid(pipeline, stripe_http):
    practice = make_practice()
    card = make_invoice_with_card_payment(practice.group_id, 12_500)
    assert unpaid_invoice_count(card.client_id) == 1

    evt = event("payment_intent.succeeded", payment_intent(
        pi_id=card.payment_intent_id, amount=12_500, status="succeeded",
        metadata={"group_id": str(practice.group_id), "payment_id": str(card.payment_id)}))
    r = deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret)
    assert r.status_code == 200, r.text
    assert r.json() == {"received": True}

    row = poll_until(_processed(practice.group_id, evt), message="the event to be applied")
    assert row["outcome"] == "applied"
    assert invoice_state(card.invoice_id) | {} == {"status": "paid", "paid_cents": 12_500, "balance_cents": 0,
                                                   "overpaid_cents": 0, "disputed": False, "total_cents": 12_500}
    assert payment_state(card.payment_id)["status"] == "succeeded"
    assert unpaid_invoice_count(card.client_id) == 0
