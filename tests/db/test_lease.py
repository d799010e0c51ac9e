"""The one lease module (shared/db/lease.py), on a real table: only the owner keeps a lease alive,
and a lease that ran out is another worker's to take."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.jobs import reconciliation
from shared.stripe_sync.models import Reconciliation

RUNS = reconciliation.RECONCILIATIONS


def _queued_reconciliation() -> uuid.UUID:
    with session_scope() as session:
        group = Group(
            name="Lease Practice",
            currency="USD",
            timezone="America/New_York",
            invoice_prefix="INV-",
            allow_partial_payments=False,
            minimum_payment_cents=0,
        )
        session.add(group)
        session.flush()
        rec = Reconciliation(group_id=group.id, status="queued", trigger="manual", fixed=[], unmatched=[], errors=[])
        session.add(rec)
        session.flush()
        return rec.id


def _row(rec_id: uuid.UUID) -> Reconciliation:
    with session_scope() as session:
        return session.get_one(Reconciliation, rec_id)


def test_only_the_owner_extends_a_lease():
    rec_id = _queued_reconciliation()
    assert reconciliation.take_lease(rec_id, "worker-a") == 1
    before = _row(rec_id).lease_expires_at

    # Another worker can neither take the live lease nor keep it alive.
    assert reconciliation.take_lease(rec_id, "worker-b") is None
    assert RUNS.extend(RUNS.running(rec_id), "worker-b", 600) is False
    after = _row(rec_id)
    assert (after.lease_owner, after.lease_expires_at, after.attempts) == ("worker-a", before, 1)

    # The owner can, and a retry of the same task takes its own lease back.
    time.sleep(0.01)
    assert RUNS.extend(RUNS.running(rec_id), "worker-a", reconciliation.LEASE_SECONDS) is True
    assert _row(rec_id).lease_expires_at > before
    assert reconciliation.take_lease(rec_id, "worker-a") == 2


def test_an_expired_lease_is_taken_by_another_worker_and_the_first_stops():
    rec_id = _queued_reconciliation()
    assert reconciliation.take_lease(rec_id, "worker-a") == 1
    beat = RUNS.heartbeat(RUNS.running(rec_id), "worker-a", seconds=60, interval=0.05)
    with beat:
        # worker-a stalls (a long GC pause, a frozen VM) and its lease runs out.
        with session_scope() as session:
            session.execute(
                update(Reconciliation)
                .where(Reconciliation.id == rec_id)
                .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        assert rec_id in RUNS.stale_ids([Reconciliation.status == "running"], grace=30, limit=10)
        assert reconciliation.take_lease(rec_id, "worker-b") == 2
        deadline = time.monotonic() + 5
        while not beat.lost and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.lost  # worker-a's next extend was refused: it knows to stop
        with pytest.raises(reconciliation.LeaseLost):
            beat.check()
    row = _row(rec_id)
    assert (row.lease_owner, row.attempts, row.status) == ("worker-b", 2, "running")
    assert row.lease_expires_at > datetime.now(UTC)
    assert rec_id not in RUNS.stale_ids([Reconciliation.status == "running"], grace=30, limit=10)
