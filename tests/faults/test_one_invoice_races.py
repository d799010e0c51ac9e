"""Many hands on one invoice at once: twenty "Pay" clicks, a biller's mark-paid racing a card
payment, two reconciliations side by side. The invoice is never paid twice: a mark-paid beside a
card payment Stripe may still charge is refused (409 payment_in_flight), and one the client only
opened is closed by it; money that does arrive twice would be recorded as an overpayment for the
biller to refund — never dropped, never silent."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import stripe
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.stripe_sync.models import Reconciliation
from shared.tasks import names
from tests.conftest import poll_until
from tests.factories import card_payments_of, make_invoice, make_paying_client
from tests.faults.ledger import card_payments, inbox_counts, invoices_by_id, ledger_changes, payments_by_id
from tests.faults.record import record_scenario
from tests.stripe.browser import confirm, confirmation_token, start_payment
from tests.stripe_events import deliver, event

CLICKS = 20
RACES = 30


def _together(n: int, fn) -> list:
    """Run fn(i) for i in range(n) from n threads released at the same instant."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _charges_of(localstripe, secret_key: str, payment_intent_ids: set[str]) -> int:
    client = stripe.StripeClient(secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    return sum(
        1
        for c in client.v1.charges.list(params={"limit": 100}).auto_paging_iter()
        if (c.payment_intent if isinstance(c.payment_intent, str) else c.payment_intent.id) in payment_intent_ids
    )


@pytest.mark.slow
def test_twenty_pay_clicks_at_once_make_one_payment_and_one_charge(stack, api, localstripe, clock):
    paying = make_paying_client(api, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 8_800)

    def click(_: int) -> httpx.Response:
        with stack.http() as c:
            return c.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})

    starts = _together(CLICKS, click)
    started = starts[0].json()
    token = confirmation_token(started, payment_method="pm_card_visa")

    def confirm(_: int) -> httpx.Response:
        with stack.http() as c:
            return c.post(
                f"/v1/portal/payments/{started['payment_id']}/confirm",
                headers=paying.headers,
                json={"confirmation_token": token},
            )

    confirms = _together(CLICKS, confirm)
    payments = card_payments_of(invoice_id)
    charges = _charges_of(localstripe, paying.keys.secret_key, {p.stripe_payment_intent_id for p in payments})
    invoice = api.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    lost = {
        "extra_payments": len(payments) - 1,
        "extra_charges": charges - 1,
        "clicks_refused": sum(1 for r in starts if r.status_code not in (200, 201)),
        "confirms_failed": sum(1 for r in confirms if r.status_code != 200 or r.json()["status"] != "succeeded"),
        "cents_over_paid": invoice["paid_cents"] - invoice["total_cents"],
    }
    record_scenario(
        "one_invoice_pay_clicks",
        title="20 simultaneous Pay clicks and confirms on one invoice",
        load={"start_requests": CLICKS, "confirm_requests": CLICKS},
        faults=[f"{CLICKS} portal starts released together, then {CLICKS} confirms released together"],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"starts answered {dict(Counter(r.status_code for r in starts))}; one payment, {charges} charge",
    )

    assert sorted(r.status_code for r in starts) == [200] * (CLICKS - 1) + [201], [r.text for r in starts]
    assert len({r.json()["payment_id"] for r in starts}) == 1
    assert lost == dict.fromkeys(lost, 0), lost
    assert invoice["status"] == "paid" and invoice["overpaid_cents"] == 0


@pytest.mark.slow
def test_a_billers_mark_paid_racing_card_payments(stack, api, localstripe, clock):
    """Half the races against the webhook that says the card succeeded, half against the client's own
    confirm. Whichever lands first, the other is refused: mark-paid while the card payment is in
    flight (payment_in_flight) or after it succeeded (invoice_already_paid); a confirm after the
    cheque closed the opened card payment (nothing_owed). Never both, and a card payment Stripe took
    always shows."""
    rng = random.Random(7)
    paying = make_paying_client(api, localstripe.url)
    practice = paying.practice
    gid = uuid.UUID(practice.group_id)
    biller = practice.biller

    def mark_paid(invoice_id: uuid.UUID | str, delay: float) -> httpx.Response:
        time.sleep(delay)
        with stack.http() as c:
            return c.post(
                "/v1/invoices/mark-paid",
                headers=biller,
                json={
                    "invoice_ids": [str(invoice_id)],
                    "received_date": "2026-04-02",
                    "method": "check",
                    "reference": "chk-1042",
                },
            )

    # 1. Against the webhook (receiver → relay → worker): the biller up to 400 ms before or 600 ms
    #    after Stripe's event each time, so the race is run from both sides whatever the machine's speed.
    webhook_cards = card_payments(gid, [6_000 + i for i in range(RACES)])
    answered_before_the_event: list[bool] = []

    def webhook_race(i: int) -> httpx.Response:
        p = webhook_cards[i]
        offset = rng.uniform(-0.4, 0.6)

        def send_event() -> float:
            time.sleep(max(-offset, 0))
            sent = time.monotonic()
            with stack.http() as c:
                deliver(
                    c,
                    stack.webhook_url(gid),
                    event("payment_intent.succeeded", p.intent("succeeded")),
                    paying.keys.webhook_secret,
                )
            return sent

        with ThreadPoolExecutor(max_workers=2) as pool:
            event_sent = pool.submit(send_event)
            marked = mark_paid(p.invoice_id, max(offset, 0))
            answered = time.monotonic()
            answered_before_the_event.append(answered < event_sent.result())
        return marked

    webhook_marks = [webhook_race(i) for i in range(RACES)]
    poll_until(lambda: inbox_counts(gid)["processed"] == RACES, timeout=120, message="the card webhooks applied")

    # 2. Against the client's own confirm (the server applies Stripe's answer in the same request).
    confirm_invoices, confirm_marks, confirms = [], [], []
    for i in range(RACES // 3):
        invoice_id = make_invoice(practice.group_id, paying.client_id, 9_000 + i)
        started = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
        token = confirmation_token(started, payment_method="pm_card_visa")

        def race(
            k: int, invoice_id: str = invoice_id, payment_id: str = started["payment_id"], token: str = token
        ) -> httpx.Response:
            if k == 0:
                return mark_paid(invoice_id, rng.uniform(0, 0.05))
            with stack.http() as c:
                return c.post(
                    f"/v1/portal/payments/{payment_id}/confirm",
                    headers=paying.headers,
                    json={"confirmation_token": token},
                )

        marked, confirmed = _together(2, race)
        confirm_invoices.append(invoice_id)
        confirm_marks.append(marked)
        confirms.append(confirmed)

    invoices, ledger = invoices_by_id(gid), payments_by_id(gid)
    card_pis = {p.stripe_payment_intent_id for inv in confirm_invoices for p in card_payments_of(inv)}
    charged = _charges_of(localstripe, paying.keys.secret_key, card_pis)
    succeeded = ledger_changes(gid, "payment.succeeded")
    outcomes: Counter = Counter()
    silently_overpaid = dropped = paid_twice_by_hand = paid_by_card_and_check = 0
    for invoice_id, inv in invoices.items():
        mine = [p for p in ledger.values() if p["invoice_id"] == invoice_id]
        cards = [p for p in mine if p["method"] == "card" and p["status"] == "succeeded"]
        manual = [p for p in mine if p["method"] == "check" and p["status"] == "succeeded"]
        overpayment = sum(p["overpayment_cents"] for p in mine)
        outcomes[("card" if cards else "") + ("+check" if manual else "")] += 1
        # Paid beyond the total only with that excess recorded, on the payment that brought it.
        if inv["paid_cents"] != inv["total_cents"] + inv["overpaid_cents"] or inv["overpaid_cents"] != overpayment:
            silently_overpaid += 1
        if inv["status"] != "paid":
            dropped += 1
        paid_twice_by_hand += max(len(manual) - 1, 0)
        paid_by_card_and_check += int(bool(cards and manual))
    dropped += sum(
        1
        for p in ledger.values()
        if p["method"] == "card"
        and p["status"] != "succeeded"
        and p["invoice_id"] in {c.invoice_id for c in webhook_cards}
    )
    dropped += charged - sum(1 for inv in confirm_invoices for p in card_payments_of(inv) if p.status == "succeeded")
    lost = {
        "card_payments_dropped": dropped,
        "invoices_silently_overpaid": silently_overpaid,
        "marked_paid_twice": paid_twice_by_hand,
        "paid_by_card_and_check": paid_by_card_and_check,
        "card_payments_applied_twice": sum(n - 1 for n in succeeded.values() if n > 1),
    }
    record_scenario(
        "mark_paid_races_card",
        title="Biller's mark-paid racing a card payment on the same invoice",
        load={"races_against_webhook": RACES, "races_against_confirm": len(confirm_invoices)},
        faults=[
            "mark-paid sent 0-600 ms around the card's payment_intent.succeeded webhook",
            "mark-paid released together with the client's confirm",
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes="outcomes (who paid): "
        + ", ".join(f"{k or 'nobody'}: {v}" for k, v in sorted(outcomes.items()))
        + f"; mark-paid answers {dict(Counter(r.status_code for r in webhook_marks + confirm_marks))}",
    )

    assert lost == dict.fromkeys(lost, 0), lost
    refusals = ("invoice_already_paid", "payment_in_flight")
    for r in webhook_marks + confirm_marks:
        assert r.status_code == 200 or (r.status_code == 409 and r.json()["error"]["code"] in refusals), r.text
    for r in confirms:
        assert r.status_code == 200 or (r.status_code == 409 and r.json()["error"]["code"] == "nothing_owed"), r.text
    assert all(inv["overpaid_cents"] == 0 for inv in invoices.values()), outcomes
    # The race was run from both sides: a mark-paid answered before Stripe's event was even sent met
    # the card payment in flight and was turned away, never recorded beside it.
    early = [r for r, before in zip(webhook_marks, answered_before_the_event, strict=True) if before]
    assert early, "no mark-paid was answered before its webhook; the race was not run"
    assert all(r.status_code == 409 and r.json()["error"]["code"] == "payment_in_flight" for r in early), [
        r.text for r in early
    ]


@pytest.mark.slow
def test_two_reconciliations_at_once_apply_a_lost_payment_once(stack, api, localstripe, flaky, clock):
    paying = make_paying_client(api, flaky.url)
    gid = uuid.UUID(paying.practice.group_id)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 6_600)
    started = start_payment(api, paying.headers, invoice_id)
    token = confirmation_token(started, payment_method="pm_card_visa")
    # Stripe takes the money, and its answer is lost on the way back (no webhook is registered either).
    flaky.fail("POST", r"^/v1/payment_intents/[^/]+/confirm$", status=None, after_forward=True)
    assert confirm(api, paying.headers, started["payment_id"], token).status_code == 503
    assert [p.status for p in card_payments_of(invoice_id)] == ["pending"]

    # Two billers press "Reconcile" at once: one job.
    def reconcile(_: int) -> httpx.Response:
        with stack.http() as c:
            return c.post("/v1/reconciliations", headers=paying.practice.biller)

    answers = _together(2, reconcile)
    assert {r.status_code for r in answers} == {202} and len({r.json()["id"] for r in answers}) == 1
    # And a scheduled run and a re-sent one start side by side in the worker.
    with session_scope() as session:
        extra = Reconciliation(
            group_id=gid, status="queued", trigger="schedule", fixed=[], unmatched=[], errors=[], attempts=0
        )
        session.add(extra)
        session.flush()
        ids = [answers[0].json()["id"], str(extra.id)]
    for rec_id in ids:
        stack.send_task(names.RECONCILE_GROUP, rec_id)

    def all_done() -> bool:
        with session_scope() as session:
            rows = list(session.scalars(select(Reconciliation).where(Reconciliation.group_id == gid)))
        if not any(r.status == "running" for r in rows):
            for r in rows:
                if r.status == "queued":  # turned away while the other held the practice: what the sweeper re-sends
                    stack.send_task(names.RECONCILE_GROUP, str(r.id))
        return all(r.status in ("succeeded", "failed") for r in rows)

    poll_until(all_done, timeout=120, interval=1.0, message="both reconciliations to finish")
    with session_scope() as session:
        rows = list(session.scalars(select(Reconciliation).where(Reconciliation.group_id == gid)))
    fixed = [f for r in rows for f in r.fixed]
    invoice = api.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    applied = ledger_changes(gid, "payment.succeeded")
    charges = _charges_of(
        localstripe, paying.keys.secret_key, {p.stripe_payment_intent_id for p in card_payments_of(invoice_id)}
    )
    lost = {
        "runs_failed": sum(1 for r in rows if r.status != "succeeded"),
        "applied_twice": sum(n - 1 for n in applied.values() if n > 1),
        "fixed_twice": len(fixed) - 1,
        "cents_over_paid": invoice["paid_cents"] - invoice["total_cents"],
        "payment_not_found": int(invoice["status"] != "paid"),
        "charged_twice": charges - 1,
    }
    record_scenario(
        "concurrent_reconciliations",
        title="Two reconciliations of one practice at once",
        load={"reconciliations": len(rows), "lost_payments": 1},
        faults=[
            "the answer to a charged confirm lost",
            "two 'Reconcile' requests at once",
            "a scheduled and a re-sent run started side by side",
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"{len(rows)} runs, {len(fixed)} fix recorded, {charges} charge at Stripe",
    )

    assert lost == dict.fromkeys(lost, 0), lost
    assert len(rows) == 2 and len(applied) == 1
