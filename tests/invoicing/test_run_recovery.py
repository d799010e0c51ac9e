"""Runs survive dead workers and lost messages, and a run that cannot finish fails whole."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from shared.db.engine import session_scope
from shared.groups.models import InvoiceSequence
from shared.invoicing.models import InvoicingRun
from shared.jobs import invoicing_runs
from shared.tasks import names
from shared.tasks.celery_app import celery_app
from tests import factories as b
from tests import stack
from tests.api.db_state import claim_by_run
from tests.conftest import ARTIFACTS, ProcessHandle, poll_until, wait_for_worker


def orphan_run(
    practice: b.PracticeRow,
    service_ids: list,
    *,
    status: str,
    lease_owner: str | None,
    lease_expires_at: datetime | None,
    created_at: datetime,
) -> str:
    """A run left behind as a crashed worker (or a lost message) leaves it, its services claimed."""
    lease = {"lease_owner": lease_owner, "lease_expires_at": lease_expires_at, "attempts": 1 if lease_owner else 0}
    return claim_by_run(
        practice.group_id,
        service_ids,
        status=status,
        invoiced_date=b.date_of("2026-04-01"),
        created_at=created_at,
        **lease,
    )


def run_row(run_id: str) -> InvoicingRun:
    with session_scope() as session:
        return session.get(InvoicingRun, uuid.UUID(run_id))


def test_the_sweeper_finishes_runs_whose_worker_died_or_whose_message_was_lost(http, worker):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    ada, grace = b.make_client(practice, "Ada Lovelace"), b.make_client(practice, "Grace Hopper")
    now = datetime.now(UTC)
    crashed = orphan_run(
        practice,
        [b.make_service(practice, ada, rate)],
        status="running",
        lease_owner="worker-that-died",
        lease_expires_at=now - timedelta(seconds=1),
        created_at=now - timedelta(seconds=60),
    )
    lost = orphan_run(
        practice,
        [b.make_service(practice, grace, rate)],
        status="queued",
        lease_owner=None,
        lease_expires_at=None,
        created_at=now - timedelta(seconds=30),
    )

    celery_app.send_task(names.SWEEP_INVOICING_RUNS)
    for run_id in (crashed, lost):
        run = b.wait_for_run(http, practice, run_id)
        assert run["status"] == "succeeded" and len(run["invoice_ids"]) == 1, run
    assert run_row(crashed).attempts == 2 and run_row(crashed).lease_owner != "worker-that-died"
    assert b.invoice_sequences(practice.group_id) == [1, 2]


def test_a_run_whose_lease_is_alive_is_left_to_its_owner(http):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    service = b.make_service(practice, b.make_client(practice, "Ada Lovelace"), rate)
    now = datetime.now(UTC)
    busy = orphan_run(
        practice,
        [service],
        status="running",
        lease_owner="busy-worker",
        lease_expires_at=now + timedelta(seconds=60),
        created_at=now - timedelta(seconds=5),
    )
    # A second delivery of the same run (a re-send, a redelivered message) does nothing.
    assert invoicing_runs.execute_run(uuid.UUID(busy), owner="another-worker") == "not_taken"
    row = run_row(busy)
    assert (row.status, row.lease_owner, row.attempts) == ("running", "busy-worker", 1)
    assert b.invoice_sequences(practice.group_id) == []
    # Its owner, asking again with its own id (a retry of its message), takes it back and finishes.
    assert invoicing_runs.execute_run(uuid.UUID(busy), owner="busy-worker") == "succeeded"
    # Finished runs are never taken again.
    assert invoicing_runs.execute_run(uuid.UUID(busy), owner="late-redelivery") == "not_taken"
    assert b.invoice_sequences(practice.group_id) == [1]


def test_a_run_that_cannot_finish_fails_whole_and_its_services_return_to_the_queue(http, worker):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = [b.make_service(practice, b.make_client(practice, name), rate) for name in ("Ada", "Grace")]
    # The numbering is about to run past what the column holds: the second invoice cannot be numbered.
    with session_scope() as session:
        session.execute(
            update(InvoiceSequence).where(InvoiceSequence.group_id == practice.group_id).values(next_number=2**31 - 1)
        )
    r = b.start_run(http, practice, services)
    assert r.status_code == 202
    run = b.wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "failed" and run["invoice_ids"] == []
    assert [e["code"] for e in run["errors"]] == ["internal_error"]
    assert run["errors"][0]["message"]
    # Nothing of it stayed: no invoice (not even the first client's), the number not used up.
    assert b.invoice_sequences(practice.group_id) == []
    with session_scope() as session:
        assert (
            session.scalar(select(InvoiceSequence.next_number).where(InvoiceSequence.group_id == practice.group_id))
            == 2**31 - 1
        )
    assert set(b.service_state(services).values()) == {(None, None)}
    queue = http.get("/v1/invoicing/queue", headers=practice.biller).json()["data"]
    assert {row["id"] for row in queue} == {str(s) for s in services}


@pytest.mark.slow
def test_a_run_whose_worker_is_killed_midway_finishes_after_restart(http, worker):
    """SIGKILL the worker while it issues a large run; with beat sweeping, the run completes once, whole."""
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = b.make_many_services(practice, rate, clients=1_500, per_client=4)
    beat = ProcessHandle(
        "beat-invoicing",
        stack.python_module_cmd(
            "celery",
            "-A",
            "services.worker.app",
            "beat",
            "--loglevel=INFO",
            "-s",
            str(ARTIFACTS / f"beat-schedule-{uuid.uuid4().hex[:8]}"),
        ),
        stack.child_env(),
    )
    beat.start()
    try:
        r = b.start_run(http, practice, services)
        assert r.status_code == 202
        run_id = r.json()["id"]
        poll_until(
            lambda: run_row(run_id).status == "running",
            timeout=60,
            interval=0.02,
            message="the worker to start the run",
        )
        worker.stop(sig=9)
        assert run_row(run_id).status == "running"  # killed before its transaction committed
        worker.start()
        wait_for_worker()
        run = b.wait_for_run(http, practice, run_id, timeout=180)
    finally:
        beat.stop()
    assert run["status"] == "succeeded", run
    assert run_row(run_id).attempts >= 2
    assert b.invoice_sequences(practice.group_id) == list(range(1, 1_501))
    assert all(state[0] is not None for state in b.service_state(services).values())
