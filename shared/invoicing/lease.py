"""The lease on an invoicing run: which worker owns it, until when, kept alive by a heartbeat.

A worker takes the lease before working and a heartbeat thread extends it on its own
connection. If the worker dies (SIGKILL, OOM, a lost machine) the lease simply
expires, and the beat sweeper sends the run again; the next worker takes the lease
and finishes it — within a minute, not when the broker's one-hour visibility timeout
would have redelivered the message. Each statement here commits on its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from shared.db.engine import get_engine
from shared.db.heartbeat import LeaseHeartbeat
from shared.invoicing.models import InvoicingRun
from shared.logging import get_logger

log = get_logger(__name__)

LEASE_SECONDS = 30
HEARTBEAT_SECONDS = 5
# A run that was taken this many times without finishing is failing for a reason a retry won't fix.
MAX_ATTEMPTS = 5
# A queued run nobody has started by then lost its message (broker restart, send after commit failed).
UNSTARTED_GRACE_SECONDS = 10

_UNFINISHED = ("queued", "running")


@dataclass(frozen=True)
class Lease:
    run_id: uuid.UUID
    owner: str
    group_id: uuid.UUID
    attempts: int


def take_lease(run_id: uuid.UUID, owner: str) -> Lease | None:
    """The lease, or None when the run is finished or another worker holds a live lease.

    The owner is the Celery task id, which a retry of the same message keeps: a task
    retrying after a transient error may take back its own lease without waiting it out.
    """
    stmt = (
        update(InvoicingRun)
        .where(InvoicingRun.id == run_id, InvoicingRun.status.in_(_UNFINISHED),
               or_(InvoicingRun.lease_expires_at.is_(None), InvoicingRun.lease_expires_at < func.now(),
                   InvoicingRun.lease_owner == owner))
        .values(lease_owner=owner, lease_expires_at=func.now() + timedelta(seconds=LEASE_SECONDS),
                attempts=InvoicingRun.attempts + 1, status="running",
                started_at=func.coalesce(InvoicingRun.started_at, func.now()), updated_at=func.now())
        .returning(InvoicingRun.group_id, InvoicingRun.attempts)
    )
    with get_engine().begin() as conn:
        row = conn.execute(stmt).first()
    return Lease(run_id, owner, row.group_id, row.attempts) if row else None


def extend_lease(run_id: uuid.UUID, owner: str) -> bool:
    stmt = (
        update(InvoicingRun)
        .where(InvoicingRun.id == run_id, InvoicingRun.lease_owner == owner, InvoicingRun.status == "running")
        .values(lease_expires_at=func.now() + timedelta(seconds=LEASE_SECONDS))
    )
    with get_engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


def release_lease(run_id: uuid.UUID, owner: str) -> None:
    """Let the run be taken again at once (after a transient error); best effort, the lease expires anyway."""
    stmt = (
        update(InvoicingRun)
        .where(InvoicingRun.id == run_id, InvoicingRun.lease_owner == owner, InvoicingRun.status == "running")
        .values(lease_expires_at=func.now())
    )
    try:
        with get_engine().begin() as conn:
            conn.execute(stmt)
    except Exception as exc:  # the database may be what failed
        log.warning("invoicing_lease_release_failed", run_id=str(run_id), error=str(exc))


def stale_run_ids(limit: int = 200) -> list[uuid.UUID]:
    """Unfinished runs whose lease expired, or that were queued and never started."""
    now = func.now()
    stmt = (
        select(InvoicingRun.id)
        .where(InvoicingRun.status.in_(_UNFINISHED),
               or_(InvoicingRun.lease_expires_at < now,
                   and_(InvoicingRun.lease_expires_at.is_(None),
                        InvoicingRun.created_at < now - timedelta(seconds=UNSTARTED_GRACE_SECONDS))))
        .order_by(InvoicingRun.created_at)
        .limit(limit)
    )
    with get_engine().connect() as conn:
        return list(conn.scalars(stmt))


class Heartbeat(LeaseHeartbeat):
    """Extends the run's lease every few seconds from a thread with its own connection, while the work runs."""

    def __init__(self, lease: Lease, interval: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(lambda: extend_lease(lease.run_id, lease.owner), interval=interval,
                         name=f"lease-{lease.run_id}", failure_event="invoicing_lease_heartbeat_failed",
                         run_id=str(lease.run_id))
        self.lease = lease
