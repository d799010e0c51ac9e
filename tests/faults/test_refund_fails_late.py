"""A refund Stripe accepted, that the ledger already showed, fails days later (the client's card was
closed) while the worker is down: once a worker is back the money counts as paid again, staff are
alerted once, and nothing is lost or counted twice. Events come through the practice's own webhook
endpoint, which clinicpay created on connect."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.ledger.payments import Refund
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until
from tests.factories import card_payments_of, connect_stripe_with_two_keys, make_invoice, make_paying_client
from tests.faults.record import record_scenario
from tests.stripe.browser import pay

pytestmark = pytest.mark.slow


def _invoice(api: httpx.Client, paying, invoice_id: str) -> dict:
    return api.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()


def _refund_rows(payment_id: uuid.UUID) -> list[tuple[str | None, str]]:
    with session_scope() as session:
        return [
            (r.stripe_refund_id, r.status)
            for r in session.scalars(select(Refund).where(Refund.payment_id == payment_id))
        ]


def _stored(group_id: str, event_type: str) -> list[StripeEvent]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(StripeEvent).where(StripeEvent.group_id == uuid.UUID(group_id), StripeEvent.type == event_type)
            )
        )


def _processed(group_id: str, event_type: str) -> bool:
    rows = _stored(group_id, event_type)
    return bool(rows) and all(r.processed_at is not None for r in rows)


def test_refund_failed_after_the_ledger_showed_the_refund(stack, api, localstripe):
    started_at = time.perf_counter()
    paying = make_paying_client(api, localstripe.url)
    connect_stripe_with_two_keys(api, paying.practice, paying.keys, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 15_000)
    started = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert pay(api, paying.headers, started).json()["status"] == "succeeded"
    [payment] = card_payments_of(invoice_id)

    # The biller refunds 6,000; Stripe accepts it, the ledger shows it, and the portal too.
    r = api.post(
        f"/v1/payments/{payment.id}/refunds",
        headers=paying.practice.biller | {"Idempotency-Key": "fault-refund-1"},
        json={"amount_cents": 6_000, "reason": "requested_by_customer", "note": "agreed at front desk"},
    )
    assert r.status_code == 201 and r.json()["status"] == "succeeded", r.text
    stripe_refund_id = r.json()["stripe_refund_id"]
    assert _invoice(api, paying, invoice_id)["balance_cents"] == 6_000
    portal = api.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()
    assert portal["payments"][0]["refunded_cents"] == 6_000
    # refund.created and charge.refunded reach the ledger and change nothing more.
    poll_until(lambda: _processed(paying.practice.group_id, "refund.created"), message="refund.created applied")
    assert _invoice(api, paying, invoice_id)["balance_cents"] == 6_000

    # The worker dies; Stripe fails the refund (refund.updated, refund.failed); the events wait, stored.
    stack.worker.kill()
    failed = httpx.post(
        f"{localstripe.url}/_standin/refunds/{stripe_refund_id}/fail",
        json={"failure_reason": "expired_or_canceled_card"},
        timeout=10,
    )
    assert failed.status_code == 200, failed.text
    poll_until(lambda: _stored(paying.practice.group_id, "refund.failed"), message="refund.failed stored")
    assert _invoice(api, paying, invoice_id)["balance_cents"] == 6_000  # stored, not applied: no worker
    stack.worker.start()
    poll_until(
        lambda: _invoice(api, paying, invoice_id)["balance_cents"] == 0,
        timeout=90,
        message="the failed refund applied by the restarted worker",
    )

    invoice = _invoice(api, paying, invoice_id)
    alerts = api.get("/v1/alerts?kind=refund_failed", headers=paying.practice.biller).json()["data"]
    rows = _refund_rows(payment.id)
    lost = (
        int(invoice["status"] != "paid")
        + int(invoice["paid_cents"] != 15_000)
        + int(len(alerts) != 1)
        + int(rows != [(stripe_refund_id, "failed")])
    )
    record_scenario(
        "refund_fails_after_the_ledger_showed_it",
        load={"refunds": 1},
        faults=["Stripe fails an accepted refund days later (a closed card)", "the worker SIGKILLed meanwhile"],
        lost={"refunds_not_back_on_the_balance_or_not_alerted": lost},
        notes="the money counts as paid again, one refund_failed alert, one refund row",
        title="A refund that fails after the ledger showed it",
        duration_s=time.perf_counter() - started_at,
    )
    assert (invoice["status"], invoice["paid_cents"], invoice["balance_cents"]) == ("paid", 15_000, 0)
    [card] = invoice["payments"]
    assert card["refunded_cents"] == 0 and card["refunds"][0]["status"] == "failed"
    assert len(alerts) == 1 and "did not get the money back" in alerts[0]["message"]
    assert rows == [(stripe_refund_id, "failed")]
    assert (
        api.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()["payments"][0]["refunded_cents"]
        == 0
    )
