"""SIGKILL the whole worker — the main process and its pool children — in the middle of work.

After a restart every piece of work finishes on its own, because the database holds a lease on
it (an invoicing run, an inbox row) and beat's sweepers send it again once the lease expires:
within a minute, not after the broker's one-hour visibility timeout. Nothing is done twice.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.billing.models import Service
from shared.db.engine import session_scope
from shared.invoicing.models import InvoicingRun
from shared.ledger.invoices import Invoice
from tests import factories as b
from tests.conftest import poll_until
from tests.factories import make_practice
from tests.faults.delivery import deliver_all, tally
from tests.faults.ledger import (
    card_event_losses,
    card_event_results,
    card_payments,
    in_flight,
    inbox_counts,
    succeeded_events,
    wait_until_busy,
    wait_until_processed,
)
from tests.faults.record import record_scenario

CLIENTS, PER_CLIENT = 1_000, 2  # 2,000 services, 1,000 invoices
AMOUNT = 10_000
EVENTS = 600
# Well past a lease (30 s) plus a sweep (10-15 s) and the work itself on a busy machine, and far
# below the broker's visibility timeout (3,600 s), which is what this would wait for without leases.
RECOVERY_TIMEOUT = 150


def _run(run_id: str) -> InvoicingRun:
    with session_scope() as session:
        return session.get(InvoicingRun, uuid.UUID(run_id))


def _kill_worker(stack) -> int:
    pids = stack.worker.group_pids()
    stack.worker.kill()
    return len(pids)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_worker_killed_during_an_invoicing_run_of_2000_services(stack, api, clock):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice, amount_cents=AMOUNT)
    services = b.make_many_services(practice, rate, clients=CLIENTS, per_client=PER_CLIENT, amount_cents=AMOUNT)
    stack.beat.start()

    r = b.start_run(api, practice, services)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    poll_until(
        lambda: _run(run_id).status == "running", timeout=60, interval=0.02, message="the worker to take the run"
    )
    time.sleep(0.5)  # into the run's one transaction: invoices built, PDFs rendering
    killed_processes = _kill_worker(stack)
    killed_at = time.monotonic()
    interrupted = _run(run_id)
    assert interrupted.status == "running", "the run finished before the kill; make it bigger"
    stack.restart_worker()

    run = b.wait_for_run(api, practice, run_id, timeout=RECOVERY_TIMEOUT)
    recovery_s = time.monotonic() - killed_at
    with session_scope() as session:
        numbers = list(session.scalars(select(Invoice.number).where(Invoice.group_id == practice.group_id)))
        sequences = sorted(session.scalars(select(Invoice.sequence).where(Invoice.group_id == practice.group_id)))
        per_client = list(
            session.execute(
                select(Invoice.client_id, func.count())
                .where(Invoice.group_id == practice.group_id)
                .group_by(Invoice.client_id)
            ).all()
        )
        total = session.scalar(
            select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(Invoice.group_id == practice.group_id)
        )
        uninvoiced = session.scalar(
            select(func.count())
            .select_from(Service)
            .where(Service.group_id == practice.group_id, Service.invoice_id.is_(None))
        )
    final = _run(run_id)
    lost = {
        "runs_not_finished": int(run["status"] != "succeeded"),
        "duplicate_invoices": sum(n - 1 for _, n in per_client if n > 1) + len(numbers) - len(set(numbers)),
        "skipped_numbers": len(set(range(1, CLIENTS + 1)) - set(sequences)),
        "extra_numbers": len(set(sequences) - set(range(1, CLIENTS + 1))),
        "services_not_invoiced": uninvoiced,
        "cents_missing": CLIENTS * PER_CLIENT * AMOUNT - total,
    }
    record_scenario(
        "worker_killed_invoicing",
        title="Worker SIGKILLed during an invoicing run",
        load={"services": CLIENTS * PER_CLIENT, "invoices": CLIENTS},
        faults=[f"whole worker ({killed_processes} processes) SIGKILLed mid-run; restarted at once"],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"finished {recovery_s:.0f}s after the kill on attempt {final.attempts} "
        f"(lease expiry + beat sweep; broker visibility timeout is 3600s)",
    )

    assert killed_processes >= 3  # the main process and its two pool children
    assert run["status"] == "succeeded" and len(run["invoice_ids"]) == CLIENTS, run
    assert lost == dict.fromkeys(lost, 0), lost
    assert final.attempts == 2 and final.lease_owner != interrupted.lease_owner  # taken over through the lease


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_worker_killed_while_applying_a_batch_of_events(stack, clock):
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    payments = card_payments(gid, [3_000 + i for i in range(EVENTS)])
    events = succeeded_events(payments)
    stack.beat.start()

    statuses = deliver_all(stack.webhook_url(gid), events, practice.webhook_secret, threads=16)
    assert tally(statuses) == {200: EVENTS}
    wait_until_busy(gid, EVENTS // 6)
    # Aim the kill at an event between its claim and its commit (likely, not certain: it may commit
    # between this look and the signal).
    poll_until(lambda: in_flight(gid), timeout=30, interval=0.005, message="an event in flight")
    killed_processes = _kill_worker(stack)
    killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
    processed_at_kill = inbox_counts(gid)["processed"]
    assert processed_at_kill < EVENTS, "every event was applied before the kill; send more"
    stack.restart_worker()

    wait_until_processed(
        gid, EVENTS, timeout=RECOVERY_TIMEOUT + 60, message="every event to be applied after the restart"
    )
    recovery_s = time.monotonic() - killed_at
    rows, applied, invoices = card_event_results(gid)
    retaken = [r for r in rows if r["attempts"] > 1]
    retaken_after_s = max(((r["processed_at"] - killed_wall).total_seconds() for r in retaken), default=0.0)
    lost = card_event_losses(rows, applied, invoices)
    record_scenario(
        "worker_killed_events",
        title="Worker SIGKILLed while applying Stripe events",
        load={"events": EVENTS, "payments": EVENTS},
        faults=[
            f"whole worker ({killed_processes} processes) SIGKILLed after {processed_at_kill} of {EVENTS} "
            "events were applied; restarted at once"
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"all applied {recovery_s:.0f}s after the kill; "
        + (
            f"{len(retaken)} event(s) caught mid-apply by the kill were taken again and applied "
            f"{retaken_after_s:.0f}s after it, once their lease expired"
            if retaken
            else "no event was between its claim and its commit at the instant of the kill"
        ),
    )

    assert killed_processes >= 3
    assert lost == dict.fromkeys(lost, 0), lost
    assert len(applied) == EVENTS and set(applied.values()) == {1}
    assert max(r["attempts"] for r in rows) <= 2
