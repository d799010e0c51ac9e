"""A client's card payment reaches the ledger through Stripe's webhooks, once, whatever the order."""

from __future__ import annotations

from sqlalchemy import select

from shared.alerts.models import Alert
from shared.db.engine import session_scope
from tests.factories import (
    invoice_state,
    make_invoice_with_card_payment,
    make_practice,
    payment_state,
    stored_events,
    unpaid_invoice_count,
    wait_until_processed,
)
from tests.stripe_events import card_declined, deliver, event, payment_intent


def test_payment_succeeded_event_marks_the_invoice_paid(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 12_500)
    assert unpaid_invoice_count(card.client_id) == 1

    evt = event(
        "payment_intent.succeeded",
        payment_intent(
            pi_id=card.payment_intent_id,
            amount=12_500,
            status="succeeded",
            metadata={"group_id": str(practice.group_id), "payment_id": str(card.payment_id)},
        ),
    )
    r = deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret)
    assert r.status_code == 200, r.text
    assert r.json() == {"received": True}

    row = wait_until_processed(practice.group_id, evt, message="the event to be applied")
    assert row["outcome"] == "applied"
    assert invoice_state(card.invoice_id) == {
        "status": "paid",
        "paid_cents": 12_500,
        "balance_cents": 0,
        "overpaid_cents": 0,
        "disputed": False,
        "total_cents": 12_500,
    }
    assert payment_state(card.payment_id)["status"] == "succeeded"
    assert unpaid_invoice_count(card.client_id) == 0


def _pi_event(card, practice, status, *, event_type=None, **extra):
    event_type = event_type or {
        "succeeded": "payment_intent.succeeded",
        "processing": "payment_intent.processing",
        "requires_action": "payment_intent.requires_action",
        "canceled": "payment_intent.canceled",
    }.get(status, "payment_intent.payment_failed")
    return event(
        event_type,
        payment_intent(
            pi_id=card.payment_intent_id,
            amount=card.amount_cents,
            status=status,
            metadata={"group_id": str(practice.group_id), "payment_id": str(card.payment_id)},
            **extra,
        ),
    )


def _audit_actions(entity_id) -> list[str]:
    from sqlalchemy import select

    from shared.audit.models import AuditEvent
    from shared.db.engine import session_scope

    with session_scope() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(entity_id))))


def test_the_same_event_delivered_five_times_has_one_effect(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 8_000)
    evt = _pi_event(card, practice, "succeeded")
    url = pipeline.webhook_url(str(practice.group_id))
    for _ in range(5):
        assert deliver(stripe_http, url, evt, practice.webhook_secret).status_code == 200

    row = wait_until_processed(practice.group_id, evt, message="the event to be applied")
    assert row["outcome"] == "applied"
    assert len(stored_events(practice.group_id)) == 1
    assert invoice_state(card.invoice_id)["paid_cents"] == 8_000
    assert _audit_actions(card.payment_id) == ["payment.succeeded"]

    # A second, distinct event carrying the same state (Stripe resends, reconciliation) changes nothing either.
    again = _pi_event(card, practice, "succeeded")
    assert deliver(stripe_http, url, again, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, again)["outcome"] == "ignored"
    assert invoice_state(card.invoice_id)["paid_cents"] == 8_000
    assert _audit_actions(card.payment_id) == ["payment.succeeded"]


def test_five_concurrent_deliveries_of_one_event_store_one_row(pipeline):
    import concurrent.futures

    import httpx

    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 8_000)
    evt = _pi_event(card, practice, "succeeded")
    url = pipeline.webhook_url(str(practice.group_id))

    def send(_):
        with httpx.Client(timeout=30) as client:
            return deliver(client, url, evt, practice.webhook_secret).status_code

    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        assert list(pool.map(send, range(5))) == [200] * 5
    wait_until_processed(practice.group_id, evt)
    assert len(stored_events(practice.group_id)) == 1
    assert invoice_state(card.invoice_id)["paid_cents"] == 8_000


def test_events_arriving_in_reverse_order_end_in_the_latest_state(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 9_900, status="pending")
    url = pipeline.webhook_url(str(practice.group_id))
    processing = _pi_event(card, practice, "processing")
    succeeded = _pi_event(card, practice, "succeeded")

    assert deliver(stripe_http, url, succeeded, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, succeeded)["outcome"] == "applied"
    assert deliver(stripe_http, url, processing, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, processing)["outcome"] == "ignored"

    assert payment_state(card.payment_id)["status"] == "succeeded"
    assert invoice_state(card.invoice_id)["status"] == "paid"


def test_a_declined_card_then_a_second_card_on_the_same_intent(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 4_000, status="pending")
    url = pipeline.webhook_url(str(practice.group_id))

    failed = _pi_event(card, practice, "requires_payment_method", last_payment_error=card_declined())
    assert deliver(stripe_http, url, failed, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, failed)["outcome"] == "applied"
    assert payment_state(card.payment_id)["status"] == "failed"
    assert payment_state(card.payment_id)["failure_message"] == "Your card was declined."
    assert invoice_state(card.invoice_id)["status"] == "open"

    succeeded = _pi_event(card, practice, "succeeded")
    assert deliver(stripe_http, url, succeeded, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, succeeded)["outcome"] == "applied"
    assert payment_state(card.payment_id)["status"] == "succeeded"
    assert payment_state(card.payment_id)["failure_message"] is None
    assert invoice_state(card.invoice_id)["status"] == "paid"

    # The decline arriving again late never undoes the success.
    late = _pi_event(card, practice, "requires_payment_method", last_payment_error=card_declined())
    assert deliver(stripe_http, url, late, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, late)["outcome"] == "ignored"
    assert payment_state(card.payment_id)["status"] == "succeeded"


def test_a_card_payment_landing_on_an_invoice_already_marked_paid_is_kept_as_overpaid(pipeline, stripe_http):
    from tests.factories import mark_paid_by_check

    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 15_000)
    mark_paid_by_check(practice.group_id, card.invoice_id, 15_000)
    assert invoice_state(card.invoice_id)["status"] == "paid"

    evt = _pi_event(card, practice, "succeeded")
    assert (
        deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
        == 200
    )
    assert wait_until_processed(practice.group_id, evt)["outcome"] == "applied"

    assert payment_state(card.payment_id)["status"] == "succeeded"
    assert payment_state(card.payment_id)["overpayment_cents"] == 15_000
    state = invoice_state(card.invoice_id)
    assert state["status"] == "paid"
    assert state["paid_cents"] == 30_000
    assert state["overpaid_cents"] == 15_000
    assert state["balance_cents"] == 0

    # Staff are told to refund the surplus, once: the same success delivered again adds no alert.
    again = event("payment_intent.succeeded", evt["data"]["object"])
    url = pipeline.webhook_url(str(practice.group_id))
    assert deliver(stripe_http, url, again, practice.webhook_secret).status_code == 200
    assert wait_until_processed(practice.group_id, again)["outcome"] == "ignored"
    with session_scope() as session:
        alerts = list(session.scalars(select(Alert).where(Alert.group_id == practice.group_id)))
    assert [(a.kind, a.invoice_id, a.payment_id, a.data["amount_cents"]) for a in alerts] == [
        ("overpayment", card.invoice_id, card.payment_id, 15_000)
    ]
    assert "Refund the surplus of $150.00" in alerts[0].message


def test_an_event_about_another_practices_payment_is_stored_and_changes_nothing(pipeline, stripe_http):
    mine = make_practice(with_webhook_secret=True)
    theirs = make_practice(with_webhook_secret=True)
    their_card = make_invoice_with_card_payment(theirs, 7_000)
    # On a shared Stripe account every endpoint receives every event, validly signed for it.
    evt = _pi_event(their_card, theirs, "succeeded")
    assert deliver(stripe_http, pipeline.webhook_url(str(mine.group_id)), evt, mine.webhook_secret).status_code == 200

    row = wait_until_processed(mine.group_id, evt)
    assert row["outcome"] == "unmatched"
    assert payment_state(their_card.payment_id)["status"] == "processing"
    assert invoice_state(their_card.invoice_id)["status"] == "open"

    # Metadata claiming another group does not help either.
    forged = event(
        "payment_intent.succeeded",
        payment_intent(
            amount=7_000,
            status="succeeded",
            metadata={"group_id": str(mine.group_id), "payment_id": str(their_card.payment_id)},
        ),
    )
    assert (
        deliver(stripe_http, pipeline.webhook_url(str(mine.group_id)), forged, mine.webhook_secret).status_code == 200
    )
    assert wait_until_processed(mine.group_id, forged)["outcome"] == "unmatched"
    assert invoice_state(their_card.invoice_id)["status"] == "open"


def test_an_event_type_we_do_not_act_on_is_stored_and_ignored(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    evt = event("customer.created", {"id": "cus_test1", "object": "customer", "email": "a@example.com"})
    assert (
        deliver(stripe_http, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret).status_code
        == 200
    )
    assert wait_until_processed(practice.group_id, evt)["outcome"] == "ignored"
