"""What staff must act on, from Stripe's refund and dispute events: a dispute (or an appeal) that needs the
practice's answer, with its due date; a refund that failed after it was made. Every dispute status the
pinned SDK declares is sorted into open or closed."""

from __future__ import annotations

import time
import typing
import uuid
from datetime import UTC, datetime

import stripe
from sqlalchemy import select

from shared.alerts.models import Alert
from shared.db.engine import session_scope
from shared.ledger.dispute_statuses import (
    CLOSED_DISPUTE_STATUSES,
    DISPUTE_STATUSES,
    NEEDS_RESPONSE_STATUSES,
    OPEN_DISPUTE_STATUSES,
)
from tests.factories import invoice_state, make_invoice_with_card_payment, make_practice, payment_state
from tests.stripe_events import dispute, event, refund
from tests.webhooks.conftest import send_and_apply


def _alerts(group_id: uuid.UUID, kind: str) -> list[Alert]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(Alert).where(Alert.group_id == group_id, Alert.kind == kind).order_by(Alert.created_at)
            )
        )


def test_every_dispute_status_the_pinned_sdk_declares_is_open_or_closed():
    declared = typing.get_args(typing.get_args(stripe.Dispute.__annotations__["status"])[0])
    assert set(DISPUTE_STATUSES) == set(declared)
    assert set(OPEN_DISPUTE_STATUSES) | CLOSED_DISPUTE_STATUSES == set(declared)
    assert not set(OPEN_DISPUTE_STATUSES) & CLOSED_DISPUTE_STATUSES
    assert {"appeal_needs_response", "appeal_under_review"} <= set(OPEN_DISPUTE_STATUSES)
    assert {"needs_response", "warning_needs_response", "appeal_needs_response"} == NEEDS_RESPONSE_STATUSES


def test_a_dispute_that_needs_a_response_alerts_staff_with_its_due_date(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 12_000, status="succeeded")
    t0 = int(time.time())
    due_by = t0 + 10 * 86400
    dp = dispute(amount=12_000, payment_intent=card.payment_intent_id, status="needs_response")
    dp["evidence_details"]["due_by"] = due_by

    assert send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.created", dp, created=t0)) == "applied"
    [alert] = _alerts(practice.group_id, "dispute_needs_response")
    due = datetime.fromtimestamp(due_by, UTC).strftime("%Y-%m-%d %H:%M")
    assert due in alert.message and "$120.00" in alert.message and dp["id"] in alert.message
    assert alert.invoice_id == card.invoice_id and alert.payment_id == card.payment_id
    assert alert.data["due_by"] == datetime.fromtimestamp(due_by, UTC).isoformat()

    # Stripe repeats itself (the same news under a new event id): still one alert.
    again = event("charge.dispute.updated", dict(dp, reason="fraudulent"), created=t0 + 1)
    send_and_apply(pipeline, stripe_http, practice, again)
    assert len(_alerts(practice.group_id, "dispute_needs_response")) == 1

    # Under review: no new alert, still flagged.
    review = event("charge.dispute.updated", dict(dp, status="under_review"), created=t0 + 2)
    assert send_and_apply(pipeline, stripe_http, practice, review) == "applied"
    assert len(_alerts(practice.group_id, "dispute_needs_response")) == 1
    assert invoice_state(card.invoice_id)["disputed"] is True


def test_an_appeal_that_needs_a_response_flags_the_invoice_and_alerts_again(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 7_000, status="succeeded")
    t0 = int(time.time())
    dp = dispute(amount=7_000, payment_intent=card.payment_intent_id, status="needs_response")
    send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.created", dp, created=t0))
    lost = event("charge.dispute.closed", dict(dp, status="lost"), created=t0 + 1)
    send_and_apply(pipeline, stripe_http, practice, lost)
    assert invoice_state(card.invoice_id)["disputed"] is False

    # The pinned version's appeal: the issuer asks again. Open again, and staff must answer again.
    appeal = dict(dp, status="appeal_needs_response")
    appeal["evidence_details"] = dict(dp["evidence_details"], due_by=t0 + 5 * 86400)
    assert (
        send_and_apply(pipeline, stripe_http, practice, event("charge.dispute.updated", appeal, created=t0 + 2))
        == "applied"
    )
    assert invoice_state(card.invoice_id)["disputed"] is True
    alerts = _alerts(practice.group_id, "dispute_needs_response")
    assert [a.data["status"] for a in alerts] == ["needs_response", "appeal_needs_response"]
    assert "appeal" in alerts[1].message

    under_review = event("charge.dispute.updated", dict(appeal, status="appeal_under_review"), created=t0 + 3)
    send_and_apply(pipeline, stripe_http, practice, under_review)
    assert invoice_state(card.invoice_id)["disputed"] is True


def test_a_refund_that_fails_after_it_succeeded_puts_the_money_back_and_alerts_once(pipeline, stripe_http):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    re = refund(amount=4_000, payment_intent=card.payment_intent_id)
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", re)) == "applied"
    assert invoice_state(card.invoice_id)["balance_cents"] == 4_000
    assert _alerts(practice.group_id, "refund_failed") == []

    failed = dict(re, status="failed", failure_reason="lost_or_stolen_card")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.failed", failed)) == "applied"
    state = invoice_state(card.invoice_id)
    assert (state["status"], state["balance_cents"]) == ("paid", 0)
    assert payment_state(card.payment_id)["refunded_cents"] == 0
    [alert] = _alerts(practice.group_id, "refund_failed")
    assert "$40.00" in alert.message and "lost or stolen" in alert.message
    assert alert.data["stripe_refund_id"] == re["id"] and alert.data["failure_reason"] == "lost_or_stolen_card"

    # refund.updated with the same failure, and a late succeeded snapshot: nothing moves, no second alert.
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.updated", failed)) == "ignored"
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.updated", re)) == "ignored"
    assert invoice_state(card.invoice_id)["balance_cents"] == 0
    assert len(_alerts(practice.group_id, "refund_failed")) == 1


def test_refund_metadata_naming_another_practices_refund_row_is_not_trusted(pipeline, stripe_http):
    """A refund made outside clinicpay whose metadata names a refund row of ours (or anything) is filed
    by its PaymentIntent, as its own row: metadata alone never attaches it."""
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 5_000, status="succeeded")
    re = refund(amount=1_000, payment_intent=card.payment_intent_id)
    re["metadata"] = {"refund_id": str(uuid.uuid4())}
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", re)) == "applied"
    assert payment_state(card.payment_id)["refunded_cents"] == 1_000
