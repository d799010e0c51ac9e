"""A storm of webhooks: 5,000 signed deliveries for 1,000 card payments — 30% of them Stripe's
re-deliveries, all shuffled, sent by 32 senders at once. The ledger ends exactly as Stripe says."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.conftest import poll_until
from tests.factories import make_practice
from tests.faults.delivery import deliver_all, tally
from tests.faults.ledger import (
    CardPayment,
    card_payments,
    inbox,
    inbox_counts,
    invoices_by_id,
    ledger_changes,
    payments_by_id,
    refunds_by_stripe_id,
)
from tests.faults.record import record_scenario
from tests.stripe_events import charge, event, refund

PAYMENTS = 1_000
REFUNDED = 500  # half of them partly refunded afterwards
DELIVERIES = 5_000
DUPLICATE_SHARE = 0.30  # Stripe delivers at least once: this share of the deliveries are repeats
SENDERS = 32


def _events_of(p: CardPayment, refund_cents: int | None) -> list[dict[str, Any]]:
    """What Stripe emits for one payment: processing, then succeeded; for a refund, the refund's
    creation (pending), its update (succeeded) and the charge's refunded event carrying it."""
    events = [
        event("payment_intent.processing", p.intent("processing")),
        event("payment_intent.succeeded", p.intent("succeeded")),
    ]
    if refund_cents:
        refund_id, charge_id = f"re_storm{uuid.uuid4().hex[:16]}", f"ch_storm{uuid.uuid4().hex[:16]}"
        pending = refund(
            amount=refund_cents,
            payment_intent=p.payment_intent_id,
            charge=charge_id,
            refund_id=refund_id,
            status="pending",
        )
        done = {**pending, "status": "succeeded"}
        events += [
            event("refund.created", pending),
            event("refund.updated", done),
            event(
                "charge.refunded",
                charge(
                    amount=p.amount_cents,
                    payment_intent=p.payment_intent_id,
                    amount_refunded=refund_cents,
                    charge_id=charge_id,
                ),
            ),
        ]
    return events


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_storm_of_duplicated_shuffled_concurrent_events_leaves_the_exact_ledger(stack, clock):
    rng = random.Random(20260401)
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    payments = card_payments(gid, [rng.randrange(1_000, 90_000) for _ in range(PAYMENTS)], status="pending")
    refunded = {p.payment_id: p.amount_cents // 4 for p in rng.sample(payments, REFUNDED)}
    unique = [e for p in payments for e in _events_of(p, refunded.get(p.payment_id))]
    duplicates = rng.choices(unique, k=DELIVERIES - len(unique))
    deliveries = unique + duplicates
    rng.shuffle(deliveries)
    assert len(deliveries) == DELIVERIES and len(duplicates) == int(DELIVERIES * DUPLICATE_SHARE)
    stack.beat.start()

    sent_at = time.monotonic()
    statuses = deliver_all(stack.webhook_url(gid), deliveries, practice.webhook_secret, threads=SENDERS)
    receive_s = time.monotonic() - sent_at
    poll_until(
        lambda: inbox_counts(gid)["processed"] >= len(unique),
        timeout=720,
        interval=1.0,
        message="every distinct event to be applied",
    )
    settle_s = time.monotonic() - sent_at

    # What Stripe says, and therefore what the biller must see.
    expected_invoices = {
        p.invoice_id: {
            "status": "partially_paid" if refunded.get(p.payment_id) else "paid",
            "paid_cents": p.amount_cents - refunded.get(p.payment_id, 0),
            "balance_cents": refunded.get(p.payment_id, 0),
            "overpaid_cents": 0,
            "total_cents": p.amount_cents,
        }
        for p in payments
    }
    expected_payments = {
        p.payment_id: {
            "status": "succeeded",
            "amount_cents": p.amount_cents,
            "refunded_cents": refunded.get(p.payment_id, 0),
            "overpayment_cents": 0,
            "invoice_id": p.invoice_id,
            "method": "card",
        }
        for p in payments
    }
    invoices, ledger, refunds = invoices_by_id(gid), payments_by_id(gid), refunds_by_stripe_id(gid)
    rows = inbox(gid)
    succeeded = ledger_changes(gid, "payment.succeeded")
    refund_changes = ledger_changes(gid, "refund.succeeded")
    lost = {
        "deliveries_refused": sum(1 for s in statuses if s != 200),
        "events_not_stored": len(unique) - len(rows),
        "events_not_processed": sum(1 for r in rows if r["processed_at"] is None),
        "invoices_wrong": sum(1 for k, v in expected_invoices.items() if invoices.get(k) != v),
        "payments_wrong": sum(1 for k, v in expected_payments.items() if ledger.get(k) != v),
        "payments_applied_twice": sum(n - 1 for n in succeeded.values() if n > 1),
        "refunds_missing_or_wrong": REFUNDED
        - sum(
            1
            for r in refunds.values()
            if r["status"] == "succeeded" and r["amount_cents"] == refunded.get(r["payment_id"])
        ),
        "refunds_applied_twice": sum(n - 1 for n in refund_changes.values() if n > 1),
    }
    record_scenario(
        "webhook_storm",
        title="Webhook storm: duplicates, shuffled order, concurrent senders",
        load={
            "deliveries": DELIVERIES,
            "distinct_events": len(unique),
            "duplicates": len(duplicates),
            "payments": PAYMENTS,
            "refunds": REFUNDED,
            "concurrent_senders": SENDERS,
        },
        faults=[
            "30% re-deliveries",
            "shuffled order (refunds before payments, succeeded before processing)",
            f"{SENDERS} concurrent senders",
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"received in {receive_s:.0f}s ({DELIVERIES / receive_s:.0f}/s), answered {tally(statuses)}; "
        f"ledger settled {settle_s:.0f}s after the first delivery "
        f"({len(unique) / settle_s:.0f} distinct events/s applied)",
    )

    assert tally(statuses) == {200: DELIVERIES}
    assert lost == dict.fromkeys(lost, 0), lost
    assert invoices == expected_invoices
    assert ledger == expected_payments
    # One inbox row per distinct event, whatever the number of deliveries; each applied or found
    # already reflected in the ledger, none failed.
    assert Counter(r["stripe_event_id"] for r in rows) == Counter({e["id"]: 1 for e in unique})
    assert all(r["last_error"] is None and r["outcome"] in ("applied", "ignored") for r in rows)
    assert len(succeeded) == PAYMENTS and len(refund_changes) == REFUNDED
