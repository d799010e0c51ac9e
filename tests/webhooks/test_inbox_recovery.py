"""Nothing Stripe told us is lost: stored rows survive a dead relay or broker, failures stay
visible with their error, and an operator can replay an event once its cause is fixed."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from sqlalchemy import text

from shared.db.engine import get_engine
from shared.jobs import inbox
from shared.tasks import names
from shared.tasks.enqueue import send_task_now
from tests import stack
from tests.conftest import poll_until
from tests.factories import (
    invoice_state,
    make_invoice_with_card_payment,
    make_practice,
    payment_state,
    refunds_of,
    stored_event,
    wait_until_processed,
)
from tests.stripe_events import deliver, event, payment_intent, refund


@pytest.fixture
def relay_stopped(receiver):
    """The receiver without its relay (as when the relay or the broker is down); restarted afterwards."""
    receiver.relay.stop()
    yield receiver
    if receiver.relay.proc is None or receiver.relay.proc.poll() is not None:  # the test may have restarted it
        receiver.relay.start()


def _succeeded(card, practice):
    return event(
        "payment_intent.succeeded",
        payment_intent(
            pi_id=card.payment_intent_id,
            amount=card.amount_cents,
            status="succeeded",
            metadata={"group_id": str(practice.group_id), "payment_id": str(card.payment_id)},
        ),
    )


def _sql(statement: str, **params) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(statement), params)


def test_events_stored_while_the_relay_is_down_are_applied_once_it_is_back(relay_stopped, worker, stripe_http):
    receiver = relay_stopped
    practice = make_practice(with_webhook_secret=True)
    cards = [make_invoice_with_card_payment(practice, 3_000 + i) for i in range(3)]
    events = [_succeeded(card, practice) for card in cards]
    for evt in events:
        # Stripe still gets its 200: the event is durably stored even though nothing can dispatch it.
        assert (
            deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
            == 200
        )
    for evt in events:
        row = stored_event(practice.group_id, evt["id"])
        assert row["dispatched_at"] is None and row["processed_at"] is None
    assert all(invoice_state(card.invoice_id)["status"] == "open" for card in cards)

    receiver.relay.start()
    for evt in events:
        assert wait_until_processed(practice.group_id, evt, message="the relay to dispatch")["outcome"] == "applied"
    assert all(invoice_state(card.invoice_id)["status"] == "paid" for card in cards)


def test_the_sweeper_resends_what_no_relay_dispatched_and_what_the_broker_lost(relay_stopped, worker, stripe_http):
    receiver = relay_stopped
    practice = make_practice(with_webhook_secret=True)
    never_sent, lost = (make_invoice_with_card_payment(practice, 2_500) for _ in range(2))
    never_sent_evt, lost_evt = _succeeded(never_sent, practice), _succeeded(lost, practice)
    for evt in (never_sent_evt, lost_evt):
        assert (
            deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
            == 200
        )
    # One row has waited too long for a relay; the other was "dispatched" but its message never arrived.
    _sql(
        "UPDATE stripe_events SET received_at = now() - interval '30 seconds' WHERE stripe_event_id = :e",
        e=never_sent_evt["id"],
    )
    _sql(
        "UPDATE stripe_events SET received_at = now() - interval '5 minutes', "
        "dispatched_at = now() - interval '5 minutes' WHERE stripe_event_id = :e",
        e=lost_evt["id"],
    )

    assert send_task_now(names.SWEEP_STRIPE_EVENTS)  # what beat sends every 15 s
    for evt in (never_sent_evt, lost_evt):
        assert wait_until_processed(practice.group_id, evt, message="the sweeper to resend")["outcome"] == "applied"
    assert invoice_state(never_sent.invoice_id)["status"] == "paid"
    assert invoice_state(lost.invoice_id)["status"] == "paid"


def test_a_processed_event_is_never_applied_again(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 4_200)
    evt = _succeeded(card, practice)
    deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret)
    row = wait_until_processed(practice.group_id, evt)
    # A duplicate task (a resend racing the first delivery) finds the row done.
    assert inbox.process_event(row["id"]) == inbox.ALREADY_PROCESSED
    assert stored_event(practice.group_id, evt["id"])["attempts"] == row["attempts"]
    assert invoice_state(card.invoice_id)["paid_cents"] == 4_200


def test_a_failing_event_keeps_its_error_and_replay_applies_it_once_fixed(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    bad = refund(amount=2_500, payment_intent=card.payment_intent_id)
    bad["amount"] = "25.00"  # not what Stripe sends: the handler refuses it
    evt = event("refund.created", bad)
    assert (
        deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
        == 200
    )

    row = poll_until(
        lambda: (e := stored_event(practice.group_id, evt["id"])) and e["last_error"] and e,
        message="the failure to be recorded",
    )
    assert row["processed_at"] is None
    assert row["attempts"] >= 1
    assert "amount" in row["last_error"]
    assert invoice_state(card.invoice_id)["status"] == "paid"
    assert refunds_of(card.payment_id) == []

    # The operator corrects the stored payload, then replays the event by Stripe's id.
    _sql(
        "UPDATE stripe_events SET payload = jsonb_set(payload, '{data,object,amount}', '2500') "
        "WHERE stripe_event_id = :e",
        e=evt["id"],
    )
    result = _replay(evt["id"])
    assert result.returncode == 0, result.stderr
    assert "applied" in result.stdout

    row = stored_event(practice.group_id, evt["id"])
    assert row["processed_at"] is not None and row["outcome"] == "applied"
    assert payment_state(card.payment_id)["refunded_cents"] == 2_500
    assert invoice_state(card.invoice_id)["balance_cents"] == 2_500

    # Replaying it again (by our row id this time) is harmless: the refund is already in the ledger.
    again = _replay(str(row["id"]))
    assert again.returncode == 0 and "ignored" in again.stdout
    assert payment_state(card.payment_id)["refunded_cents"] == 2_500


def test_replay_of_an_unknown_event_says_so(pipeline):
    result = _replay("evt_does_not_exist")
    assert result.returncode == 2
    assert "no stored Stripe event" in result.stderr
    assert _replay(str(uuid.uuid4())).returncode == 2


def _replay(event_id: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        stack.python_module_cmd("shared.cli", "replay-event", event_id),
        env=stack.child_env(),
        cwd=stack.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _stored_undispatched(receiver, stripe_http, practice, events) -> list[uuid.UUID]:
    for evt in events:
        assert (
            deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
            == 200
        )
    return [stored_event(practice.group_id, evt["id"])["id"] for evt in events]


def test_one_bad_event_in_a_batch_does_not_hold_back_the_others(relay_stopped, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    paid_card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    bad = refund(amount=2_500, payment_intent=paid_card.payment_intent_id)
    bad["amount"] = "25.00"  # the handler refuses it
    cards = [make_invoice_with_card_payment(practice, 1_000 + i) for i in range(2)]
    events = [_succeeded(cards[0], practice), event("refund.created", bad), _succeeded(cards[1], practice)]
    ids = _stored_undispatched(relay_stopped, stripe_http, practice, events)

    result = inbox.process_events(ids)

    # (A batch may also take older rows of other tests that wait for a retry: only ours are judged.)
    assert [failed.event_id for failed in result.failures if failed.event_id in ids] == [ids[1]]
    assert all(invoice_state(card.invoice_id)["status"] == "paid" for card in cards)
    good, failed = stored_event(practice.group_id, events[0]["id"]), stored_event(practice.group_id, events[1]["id"])
    assert good["outcome"] == "applied" and good["attempts"] == 1
    assert failed["processed_at"] is None and "amount" in failed["last_error"]
    assert invoice_state(paid_card.invoice_id)["paid_cents"] == 10_000  # the refused refund moved nothing


def test_a_message_naming_one_event_works_off_the_waiting_backlog_and_a_late_copy_does_nothing(
    relay_stopped, stripe_http
):
    practice = make_practice(with_webhook_secret=True)
    cards = [make_invoice_with_card_payment(practice, 2_000 + i) for i in range(5)]
    events = [_succeeded(card, practice) for card in cards]
    ids = _stored_undispatched(relay_stopped, stripe_http, practice, events)

    first = inbox.process_events(ids[:1])
    # The other four were waiting unleased: the same batch took them, oldest first.
    assert set(first.outcomes) >= set(ids) and set(first.outcomes.values()) == {"applied"}
    assert all(invoice_state(card.invoice_id)["status"] == "paid" for card in cards)

    # Their own messages arrive afterwards and find nothing to do.
    late = inbox.process_events(ids[1:])
    assert not late.failures and late.skipped == 4 and not (set(late.outcomes) & set(ids))
    assert [stored_event(practice.group_id, evt["id"])["attempts"] for evt in events] == [1] * 5
    assert all(invoice_state(card.invoice_id)["paid_cents"] == card.amount_cents for card in cards)


def test_one_batch_applies_related_events_in_order_and_leaves_other_practices_alone(relay_stopped, stripe_http):
    practice, other = make_practice(with_webhook_secret=True), make_practice(with_webhook_secret=True)
    refunded = make_invoice_with_card_payment(practice, 8_000)
    retried = make_invoice_with_card_payment(practice, 6_000)
    theirs = make_invoice_with_card_payment(other, 5_000)
    declined = payment_intent(
        pi_id=retried.payment_intent_id,
        amount=6_000,
        status="requires_payment_method",
        last_payment_error={"message": "Your card was declined."},
        metadata={"group_id": str(practice.group_id), "payment_id": str(retried.payment_id)},
    )
    events = [
        _succeeded(refunded, practice),
        event("refund.created", refund(amount=3_000, payment_intent=refunded.payment_intent_id)),
        event("payment_intent.payment_failed", declined),
        _succeeded(retried, practice),
        # The other practice's PaymentIntent, delivered to this practice's endpoint (a shared account).
        _succeeded(theirs, other),
    ]
    ids = _stored_undispatched(relay_stopped, stripe_http, practice, events)

    result = inbox.process_events(ids)

    assert not [failed for failed in result.failures if failed.event_id in ids]
    assert [result.outcomes[i] for i in ids] == ["applied", "applied", "applied", "applied", "unmatched"]
    state = invoice_state(refunded.invoice_id)
    assert (state["status"], state["paid_cents"], state["balance_cents"]) == ("partially_paid", 5_000, 3_000)
    assert refunds_of(refunded.payment_id) == [
        {"stripe_refund_id": events[1]["data"]["object"]["id"], "amount_cents": 3_000, "status": "succeeded"}
    ]
    # A decline, then the new card's success, in one transaction: paid once, no failure left behind.
    assert payment_state(retried.payment_id)["status"] == "succeeded"
    assert invoice_state(retried.invoice_id)["paid_cents"] == 6_000
    assert payment_state(theirs.payment_id)["status"] == "processing"
    assert invoice_state(theirs.invoice_id)["status"] == "open"


def test_an_event_failing_again_and_again_raises_one_staff_alert(relay_stopped, stripe_http):
    """A first failure is a hiccup (no alert); the third is news for staff — once, naming the event and
    never its error text; clinicpay keeps trying."""
    practice = make_practice(with_webhook_secret=True)
    paid_card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    bad = refund(amount=2_500, payment_intent=paid_card.payment_intent_id)
    bad["amount"] = "25.00"  # the handler refuses it
    evt = event("refund.created", bad)
    [row_id] = _stored_undispatched(relay_stopped, stripe_http, practice, [evt])

    def fail_once_more() -> None:
        # As the task's retry would, once the backoff (the lease) has run out.
        _sql("UPDATE stripe_events SET lease_expires_at = now() - interval '1 second' WHERE id = :i", i=row_id)
        assert [f.event_id for f in inbox.process_events([row_id]).failures] == [row_id]

    def alerts() -> list[dict]:
        with get_engine().connect() as conn:
            rows = conn.execute(
                text("SELECT message, data FROM alerts WHERE group_id = :g AND kind = 'stripe_event_failing'"),
                {"g": practice.group_id},
            )
            return [dict(r._mapping) for r in rows]

    fail_once_more()
    fail_once_more()
    assert alerts() == []
    fail_once_more()
    fail_once_more()
    [alert] = alerts()
    assert evt["id"] in alert["message"] and "refund.created" in alert["message"]
    assert "amount" not in alert["message"]  # the error text stays on the event row
    assert alert["data"]["attempts"] == inbox.ALERT_AFTER_ATTEMPTS
    assert stored_event(practice.group_id, evt["id"])["processed_at"] is None
