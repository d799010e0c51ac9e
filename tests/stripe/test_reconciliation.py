"""Reconciliation reads what Stripe says and fixes our ledger when a webhook never came."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import stripe
from sqlalchemy import func, select

from shared.audit.models import AuditEvent
from shared.db.engine import session_scope
from shared.stripe_sync.models import Reconciliation
from tests.conftest import poll_until
from tests.factories import card_payment_intent, card_payments_of, make_invoice, make_paying_client, reconcile
from tests.stripe.browser import THREE_D_SECURE, authenticate, confirm, confirmation_token, pay, start_payment


def _stripe(localstripe, paying) -> stripe.StripeClient:
    return stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)


def _reconciliation_row(
    group_id: str | uuid.UUID, *, trigger: str, status: str = "queued", attempts: int = 0, **fields
) -> uuid.UUID:
    """A reconciliation run written straight to the table (queued unless told), nothing fixed or found
    yet: for the tests that drive the job, its queue or its sweeper rather than POST /v1/reconciliations."""
    with session_scope() as session:
        run = Reconciliation(
            group_id=uuid.UUID(str(group_id)),
            status=status,
            trigger=trigger,
            fixed=[],
            unmatched=[],
            errors=[],
            attempts=attempts,
            **fields,
        )
        session.add(run)
        session.flush()
        return run.id


def _requires_action_payment(http, paying, total):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = start_payment(http, paying.headers, invoice_id)
    r = pay(http, paying.headers, started, card=THREE_D_SECURE)
    assert r.json()["status"] == "requires_action", r.text
    return invoice_id, started, r.json()["payment_intent_client_secret"]


def test_a_3d_secure_payment_whose_webhook_never_came_is_found(http, localstripe, paying, worker):
    # No webhook is registered for this practice: Stripe's word can only come from reconciliation.
    invoice_id, started, secret = _requires_action_payment(http, paying, 9_900)
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "open"

    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded", job
    assert job["fixed"] == [
        {
            "payment_id": started["payment_id"],
            "invoice_id": invoice_id,
            "from": "requires_action",
            "to": "succeeded",
            "payment_intent": secret.split("_secret_")[0],
        }
    ]
    assert job["unmatched"] == [] and job["errors"] == []
    assert job["started_at"] and job["finished_at"]

    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "paid"
    summary = http.get("/v1/portal/summary", headers=paying.headers).json()
    assert summary["unpaid_invoice_count"] == 0
    health = http.get("/v1/settings/stripe/health", headers=paying.practice.biller).json()
    assert health["last_reconciliation"]["id"] == job["id"]
    assert health["last_reconciliation"]["fixed_count"] == 1 and health["last_reconciliation"]["status"] == "succeeded"

    # The next run starts where this one stopped and finds nothing more to fix.
    again = reconcile(http, paying.practice)
    assert again["status"] == "succeeded" and again["fixed"] == []
    assert again["watermark_from"] == job["watermark_to"] - 300


def test_a_lost_confirm_answer_is_settled_even_if_the_client_never_comes_back(http, localstripe, flaky, worker):
    paying = make_paying_client(http, flaky.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_000)
    started = start_payment(http, paying.headers, invoice_id)
    token = confirmation_token(started, payment_method="pm_card_visa")
    flaky.fail("POST", r"^/v1/payment_intents/[^/]+/confirm$", status=None, after_forward=True)
    assert confirm(http, paying.headers, started["payment_id"], token).status_code == 503

    job = reconcile(http, paying.practice)
    assert [(f["from"], f["to"]) for f in job["fixed"]] == [("pending", "succeeded")]
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "paid"


def test_payments_naming_this_practice_but_unknown_are_listed_unmatched(http, localstripe, paying, worker):
    client = _stripe(localstripe, paying)
    stray = card_payment_intent(
        client,
        1_234,
        metadata={
            "group_id": paying.practice.group_id,
            "payment_id": str(uuid.uuid4()),
            "invoice_number": "INV-999999",
        },
    )
    client.v1.payment_intents.confirm(stray.id)
    foreign = card_payment_intent(
        client, 4_321, metadata={"group_id": str(uuid.uuid4()), "payment_id": str(uuid.uuid4())}
    )
    client.v1.payment_intents.confirm(foreign.id)
    poll_until(
        lambda: len(client.v1.events.list(params={"type": "payment_intent.succeeded"}).data) == 2,
        message="localstripe to record both payment_intent.succeeded events",
    )

    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded" and job["fixed"] == []
    assert [(u["payment_intent"], u["amount_cents"], u["invoice_number"]) for u in job["unmatched"]] == [
        (stray.id, 1_234, "INV-999999")
    ]
    health = http.get("/v1/settings/stripe/health", headers=paying.practice.admin).json()
    assert health["last_reconciliation"]["unmatched_count"] == 1
    # Staff hear of the stray money once, however many runs find it again.
    alerts = http.get("/v1/alerts", headers=paying.practice.biller, params={"kind": "reconciliation_mismatch"}).json()
    assert [a["data"]["payment_intent"] for a in alerts["data"]] == [stray.id]
    assert "$12.34" in alerts["data"][0]["message"] and "no invoice here records" in alerts["data"][0]["message"]
    again = reconcile(http, paying.practice)
    assert [u["payment_intent"] for u in again["unmatched"]] in ([stray.id], [])
    alerts = http.get("/v1/alerts", headers=paying.practice.biller, params={"kind": "reconciliation_mismatch"}).json()
    assert len(alerts["data"]) == 1


def test_one_run_at_a_time_per_practice(http, localstripe, paying):
    queued_id = str(_reconciliation_row(paying.practice.group_id, trigger="schedule"))
    r = http.post("/v1/reconciliations", headers=paying.practice.biller)
    assert r.status_code == 202 and r.json()["id"] == queued_id
    from shared.jobs.reconciliation import schedule_all

    assert schedule_all() == 0  # this practice already has one queued


def test_two_runs_side_by_side_apply_once(http, localstripe, paying):
    from shared.jobs.reconciliation import reconcile

    invoice_id, started, secret = _requires_action_payment(http, paying, 2_500)
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    ids = [_reconciliation_row(paying.practice.group_id, trigger="manual") for _ in range(2)]
    outcomes: list[str] = []
    threads = [threading.Thread(target=lambda i=i: outcomes.append(reconcile(i))) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for i in ids:  # one may have been turned away while the other held the practice; run it now
        outcomes.append(reconcile(i))
    with session_scope() as session:
        rows = [session.get(Reconciliation, i) for i in ids]
        applied = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "payment.succeeded", AuditEvent.entity_id == started["payment_id"])
        )
    assert sorted(r.status for r in rows) == ["succeeded", "succeeded"]
    assert sum(len(r.fixed) for r in rows) == 1
    assert applied == 1
    assert [p.status for p in card_payments_of(invoice_id)] == ["succeeded"]


def test_stripe_errors_are_retried_with_backoff(http, localstripe, flaky, worker):
    paying = make_paying_client(http, flaky.url)
    flaky.fail("GET", r"^/v1/events$", status=503, times=1)
    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded", job
    assert len(flaky.failed) == 1
    with session_scope() as session:
        assert session.get(Reconciliation, uuid.UUID(job["id"])).attempts == 2  # failed once, then retried


def test_a_run_fails_with_its_errors_once_retries_are_spent(http, localstripe, flaky):
    from services.worker.tasks.reconciliation import reconcile_group
    from shared.tasks.retry import RECONCILIATION

    paying = make_paying_client(http, flaky.url)
    flaky.fail("GET", r"^/v1/events$", status=503, times=100)
    rec_id = str(_reconciliation_row(paying.practice.group_id, trigger="manual"))
    reconcile_group.apply(args=[rec_id], retries=RECONCILIATION.max_retries)
    job = http.get(f"/v1/reconciliations/{rec_id}", headers=paying.practice.biller).json()
    assert job["status"] == "failed"
    assert [e["code"] for e in job["errors"]] == ["stripe_unavailable"]
    health = http.get("/v1/settings/stripe/health", headers=paying.practice.biller).json()
    assert health["last_reconciliation"]["status"] == "failed"


def test_a_run_whose_worker_died_is_picked_up_again(http, localstripe, paying, worker):
    from shared.jobs.reconciliation import sweep_stale

    rec_id = str(
        _reconciliation_row(
            paying.practice.group_id,
            trigger="schedule",
            status="running",
            attempts=1,
            started_at=datetime.now(UTC) - timedelta(minutes=3),
            lease_expires_at=datetime.now(UTC) - timedelta(minutes=1),
        )
    )
    assert sweep_stale() >= 1
    job = poll_until(
        lambda: (
            (j := http.get(f"/v1/reconciliations/{rec_id}", headers=paying.practice.biller).json())["status"]
            == "succeeded"
            and j
        ),
        message="the swept run to finish",
    )
    assert job["finished_at"]


def test_staff_only_and_scoped(http, localstripe, paying):
    assert http.post("/v1/reconciliations", headers=paying.headers).status_code == 403
    assert http.get(f"/v1/reconciliations/{uuid.uuid4()}", headers=paying.practice.biller).status_code == 404
    assert http.get("/v1/reconciliations/nope", headers=paying.practice.biller).status_code == 404
