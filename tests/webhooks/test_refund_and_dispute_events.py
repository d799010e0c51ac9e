"""Refunds and disputes reported by Stripe move the ledger — and only as far as Stripe says."""

from __future__ import annotations

import time

from tests.factories import (
    disputes_of,
    invoice_state,
    make_invoice_with_card_payment,
    make_practice,
    payment_state,
    refunds_of,
)
from tests.stripe_events import OLD_API_VERSION, charge, dispute, event, refund
from tests.webhooks.conftest import send_and_apply


def test_a_refund_reopens_the_balance(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 20_000, status="succeeded")
    assert invoice_state(card.invoice_id)["status"] == "paid"

    re = refund(amount=5_000, payment_intent=card.payment_intent_id)
    # At our version a charge.refunded embeds no refunds; an endpoint on an older version's still does
    # (this practice has no Stripe to read the charge again from, so its payload is what there is).
    assert "refunds" not in charge(amount=20_000, payment_intent=card.payment_intent_id)
    ch = charge(amount=20_000, payment_intent=card.payment_intent_id, refunds=[re])
    old = event("charge.refunded", ch, api_version=OLD_API_VERSION)
    assert send_and_apply(pipeline, stripe_http, practice, old) == "applied"

    assert payment_state(card.payment_id)["refunded_cents"] == 5_000
    state = invoice_state(card.invoice_id)
    assert (state["status"], state["paid_cents"], state["balance_cents"]) == ("partially_paid", 15_000, 5_000)

    # The same refund reported again by its own event is the same refund, not a second one.
    assert send_and_apply(pipeline, stripe_http, practice, event("charge.refund.updated", re)) == "ignored"
    assert refunds_of(card.payment_id) == [{"stripe_refund_id": re["id"], "amount_cents": 5_000, "status": "succeeded"}]
    assert invoice_state(card.invoice_id)["balance_cents"] == 5_000


def test_a_charge_refunded_at_our_version_without_a_stripe_to_ask_waits_for_the_refund_events(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 9_000, status="succeeded")
    re = refund(amount=9_000, payment_intent=card.payment_intent_id)
    ch = charge(amount=9_000, payment_intent=card.payment_intent_id, amount_refunded=9_000, charge_id=re["charge"])
    assert send_and_apply(pipeline, stripe_http, practice, event("charge.refunded", ch)) == "ignored"
    assert invoice_state(card.invoice_id)["status"] == "paid"
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", re)) == "applied"
    assert invoice_state(card.invoice_id)["status"] == "open"


def test_a_pending_refund_counts_only_once_it_succeeds_and_an_old_snapshot_does_not_undo_it(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    pending = refund(amount=10_000, payment_intent=card.payment_intent_id, status="pending")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", pending)) == "applied"
    assert invoice_state(card.invoice_id)["status"] == "paid"
    assert payment_state(card.payment_id)["refunded_cents"] == 0

    succeeded = dict(pending, status="succeeded")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.updated", succeeded)) == "applied"
    state = invoice_state(card.invoice_id)
    assert (state["status"], state["balance_cents"]) == ("open", 10_000)

    # The pending snapshot delivered again, late: the refund stays succeeded.
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", pending)) == "ignored"
    assert refunds_of(card.payment_id)[0]["status"] == "succeeded"

    # Stripe can fail a refund after it succeeded (a closed card account): the money is ours again.
    failed = dict(pending, status="failed")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.updated", failed)) == "applied"
    assert invoice_state(card.invoice_id)["status"] == "paid"
    assert payment_state(card.payment_id)["refunded_cents"] == 0


def test_a_dispute_flags_the_invoice_and_moves_money_only_on_the_funds_events(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 12_000, status="succeeded")
    t0 = int(time.time())
    dp = dispute(amount=12_000, payment_intent=card.payment_intent_id, status="needs_response")

    assert send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.created", dp, created=t0)) == "applied"
    state = invoice_state(card.invoice_id)
    assert (state["disputed"], state["status"], state["balance_cents"]) == (True, "paid", 0)

    withdrawn = event("charge.dispute.funds_withdrawn", dp, created=t0 + 1)
    assert send_and_apply(pipeline, stripe_http, practice, withdrawn) == "applied"
    state = invoice_state(card.invoice_id)
    assert (state["status"], state["balance_cents"], state["disputed"]) == ("open", 12_000, True)

    # Withdrawn is a state, not an increment: the same news again (a new event id) changes nothing.
    again = event("charge.dispute.funds_withdrawn", dp, created=t0 + 1)
    assert send_and_apply(pipeline, stripe_http, practice, again) == "ignored"
    assert invoice_state(card.invoice_id)["balance_cents"] == 12_000

    won = dict(dp, status="won")
    assert (
        send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.funds_reinstated", won, created=t0 + 2))
        == "applied"
    )
    assert (
        send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.closed", won, created=t0 + 2))
        == "ignored"
    )
    state = invoice_state(card.invoice_id)
    assert (state["status"], state["balance_cents"], state["disputed"]) == ("paid", 0, False)
    assert disputes_of(card.payment_id) == [
        {
            "stripe_dispute_id": dp["id"],
            "status": "won",
            "funds_withdrawn_cents": 12_000,
            "funds_reinstated_cents": 12_000,
        }
    ]


def test_an_older_dispute_snapshot_arriving_late_is_ignored(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 6_000, status="succeeded")
    t0 = int(time.time())
    dp = dispute(amount=6_000, payment_intent=card.payment_intent_id, status="needs_response")

    closed = event("charge.dispute.closed", dict(dp, status="warning_closed"), created=t0 + 10)
    assert send_and_apply(pipeline, stripe_http, practice, closed) == "applied"
    assert invoice_state(card.invoice_id)["disputed"] is False

    created = event("charge.dispute.created", dp, created=t0)
    assert send_and_apply(pipeline, stripe_http, practice, created) == "ignored"
    assert disputes_of(card.payment_id)[0]["status"] == "warning_closed"
    assert invoice_state(card.invoice_id)["disputed"] is False


def test_refunds_and_disputes_naming_no_payment_of_ours_are_unmatched(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    other = make_practice(with_webhook_secret=True)
    their_card = make_invoice_with_card_payment(other, 5_000, status="succeeded")
    re = refund(amount=5_000, payment_intent=their_card.payment_intent_id)
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", re)) == "unmatched"
    dp = dispute(amount=5_000, payment_intent=their_card.payment_intent_id)
    assert send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.created", dp)) == "unmatched"
    assert (
        send_and_apply(
            pipeline, stripe_http, practice, event("refund.created", refund(amount=100, payment_intent="pi_unknown"))
        )
        == "unmatched"
    )
    assert refunds_of(their_card.payment_id) == []
    assert disputes_of(their_card.payment_id) == []
    assert invoice_state(their_card.invoice_id)["status"] == "paid"


def test_a_lost_dispute_leaves_the_balance_open_and_no_longer_flags_the_invoice(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 8_000, status="succeeded")
    t0 = int(time.time())
    dp = dispute(amount=8_000, payment_intent=card.payment_intent_id, status="needs_response")
    send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.created", dp, created=t0))
    send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.funds_withdrawn", dp, created=t0 + 1))
    assert (
        send_and_apply(
            pipeline, stripe_http, practice, event("charge.dispute.closed", dict(dp, status="lost"), created=t0 + 2)
        )
        == "applied"
    )
    state = invoice_state(card.invoice_id)
    # The chargeback stands: the client owes the money again, and the closed dispute stays in the history.
    assert (state["status"], state["balance_cents"], state["disputed"]) == ("open", 8_000, False)
    assert disputes_of(card.payment_id)[0]["status"] == "lost"
