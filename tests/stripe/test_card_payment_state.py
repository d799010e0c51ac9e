"""What the portal is told about a card payment (`state_of`, no database): the secret to resume only while
the bank wants authentication, a failure's words only once it failed, and "enter your details again" when
Stripe refused the details themselves — never a secret to resume a payment whose details were refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.ledger.payments import Payment
from shared.payments.portal_card import DETAILS_REFUSED, state_of


def _payment(status: str, **extra: object) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        group_id=uuid.uuid4(),
        invoice_id=uuid.uuid4(),
        amount_cents=12_000,
        currency="USD",
        method="card",
        status=status,
        stripe_payment_method_type="card",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        **extra,
    )


def test_the_secret_is_given_only_while_the_bank_wants_authentication():
    waiting = state_of(_payment("requires_action"), client_secret="pi_1_secret_2")
    assert waiting.payment_intent_client_secret == "pi_1_secret_2"
    assert waiting.failure_code is None and waiting.failure_message is None
    done = state_of(_payment("succeeded"), client_secret="pi_1_secret_2")
    assert done.payment_intent_client_secret is None


def test_a_failed_payment_says_why_in_words():
    failed = state_of(_payment("failed", failure_code="card_declined"), decline="Your card has insufficient funds.")
    assert failed.failure_code == "card_declined"
    assert (
        failed.failure_message
        == "Your card has insufficient funds. Nothing was charged; you can try again with another card."
    )
    assert state_of(_payment("processing", failure_code="card_declined")).failure_code is None


def test_refused_details_ask_for_them_again_and_never_hand_out_the_secret():
    refused = state_of(_payment("requires_action"), client_secret="pi_1_secret_2", details_refused=True)
    assert refused.failure_code == DETAILS_REFUSED
    assert refused.failure_message and "Enter them again" in refused.failure_message
    assert refused.payment_intent_client_secret is None
