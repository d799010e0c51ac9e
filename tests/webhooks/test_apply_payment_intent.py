"""The one function that moves a card payment, called the way the confirm call and reconciliation call it."""

from __future__ import annotations

import uuid

import pytest

from shared.db.engine import session_scope
from shared.payments.card import apply_payment_intent
from tests.factories import invoice_state, make_invoice_with_card_payment, make_practice, payment_state
from tests.stripe_events import card_declined, payment_intent


def _apply(group_id, pi, source="confirm"):
    with session_scope() as session:
        return apply_payment_intent(session, group_id, pi, source=source)


@pytest.fixture
def card():
    practice = make_practice(with_webhook_secret=True)
    return make_invoice_with_card_payment(practice, 5_000, status="pending")


def test_applying_the_same_state_twice_changes_nothing(card):
    pi = payment_intent(pi_id=card.payment_intent_id, amount=5_000, status="succeeded")
    first = _apply(card.group_id, pi)
    assert (first.outcome, first.status, first.payment_id, first.invoice_id) == (
        "applied",
        "succeeded",
        card.payment_id,
        card.invoice_id,
    )
    assert _apply(card.group_id, pi, source="webhook").outcome == "unchanged"
    assert invoice_state(card.invoice_id)["paid_cents"] == 5_000


@pytest.mark.parametrize(
    ("stripe_status", "error", "ours"),
    [
        ("requires_confirmation", None, "pending"),
        ("requires_action", None, "requires_action"),
        ("processing", None, "processing"),
        ("requires_payment_method", card_declined("Insufficient funds."), "failed"),
        ("canceled", None, "canceled"),
        ("succeeded", None, "succeeded"),
    ],
)
def test_stripe_statuses_map_to_ours(card, stripe_status, error, ours):
    pi = payment_intent(pi_id=card.payment_intent_id, amount=5_000, status=stripe_status, last_payment_error=error)
    result = _apply(card.group_id, pi)
    assert result.status == ours
    assert payment_state(card.payment_id)["status"] == ours
    if ours == "failed":
        assert payment_state(card.payment_id)["failure_message"] == "Insufficient funds."


def test_nothing_leaves_succeeded(card):
    _apply(card.group_id, payment_intent(pi_id=card.payment_intent_id, amount=5_000, status="succeeded"))
    for status, error in (("processing", None), ("canceled", None), ("requires_payment_method", card_declined())):
        pi = payment_intent(pi_id=card.payment_intent_id, amount=5_000, status=status, last_payment_error=error)
        assert _apply(card.group_id, pi, source="reconciliation").outcome == "unchanged"
    assert payment_state(card.payment_id)["status"] == "succeeded"


def test_found_by_metadata_when_our_row_has_no_intent_yet():
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 5_000, status="pending")
    with session_scope() as session:
        from shared.ledger.payments import Payment

        session.get(Payment, card.payment_id).stripe_payment_intent_id = None
    pi = payment_intent(
        amount=5_000,
        status="processing",
        metadata={"group_id": str(practice.group_id), "payment_id": str(card.payment_id)},
    )
    assert _apply(practice.group_id, pi).outcome == "applied"
    assert payment_state(card.payment_id)["status"] == "processing"


def test_another_groups_payment_or_an_unknown_intent_is_unmatched(card):
    other = make_practice(with_webhook_secret=True)
    pi = payment_intent(pi_id=card.payment_intent_id, amount=5_000, status="succeeded")
    assert _apply(other.group_id, pi).outcome == "unmatched"
    stranger = payment_intent(
        amount=5_000, status="succeeded", metadata={"group_id": str(other.group_id), "payment_id": str(card.payment_id)}
    )
    assert _apply(other.group_id, stranger).outcome == "unmatched"
    assert (
        _apply(
            card.group_id, payment_intent(amount=5_000, status="succeeded", metadata={"payment_id": str(uuid.uuid4())})
        ).outcome
        == "unmatched"
    )
    assert payment_state(card.payment_id)["status"] == "pending"


def test_less_received_than_the_payment_is_a_mismatch_not_a_smaller_payment(card):
    """Finding 8: Stripe's `amount_received` is what counts for money received (a partial capture takes
    less than `amount`); it differs from ours, so nothing is applied and the invoice stays owed."""
    pi = payment_intent(pi_id=card.payment_intent_id, amount=5_000, amount_received=2_500, status="succeeded")
    result = _apply(card.group_id, pi)
    assert (result.outcome, result.status) == ("mismatched", "mismatched")
    assert payment_state(card.payment_id)["amount_cents"] == 5_000
    assert invoice_state(card.invoice_id)["paid_cents"] == 0
    # Settled: nothing Stripe says later moves it, not even the "right" amount.
    assert _apply(
        card.group_id, payment_intent(pi_id=card.payment_intent_id, amount=5_000, status="succeeded")
    ).outcome == ("unchanged")


def test_a_decline_with_another_amount_still_closes_the_payment(card):
    """A state that charged nothing is applied whatever amount it names: the client can start again."""
    pi = payment_intent(
        pi_id=card.payment_intent_id, amount=99, status="requires_payment_method", last_payment_error=card_declined()
    )
    assert _apply(card.group_id, pi).outcome == "applied"
    state = payment_state(card.payment_id)
    assert (state["status"], state["amount_cents"]) == ("failed", 5_000)
