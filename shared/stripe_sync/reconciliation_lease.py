"""Who may work on a reconciliation, and for how long.

Two guards, for two different races:
- the lease on the row (`lease_expires_at`, kept alive by a heartbeat thread) says a worker is
  on this run; when the worker dies the lease expires and the sweeper sends the run again —
  within a minute or two, not when the broker's one-hour visibility timeout ends;
- a per-group advisory lock, held in a transaction of its own for the whole run, keeps two
  runs of one group (a scheduled one and a re-sent one) from reading Stripe side by side.
  It dies with the worker's connection, so a crash never leaves it stuck.
Each statement here commits on its own.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from shared.db.engine import get_engine
from shared.db.heartbeat import LeaseHeartbeat
from shared.logging import get_logger
from shared.stripe_sync.models import Reconciliation

log = get_logger(__name__)

LEASE_SECONDS = 60
HEARTBEAT_SECONDS = 10
MAX_ATTEMPTS = 8
# A queued run nobody has started by then lost its message (broker restart, a failed send).
UNSTARTED_GRACE_SECONDS = 30
_ADVISORY_CLASS = 0x5EC0  # the first key of pg_try_advisory_xact_lock(int, int): "reconciliation"
_UNFINISHED = ("queued", "running")


def _group_key(group_id: uuid.UUID) -> int:
    return zlib.crc32(group_id.bytes) - 2**31  # into int4


@contextmanager
def group_lock(group_id: uuid.UUID) -> Iterator[bool]:
    """Yields True while this process holds the group's reconciliation lock, False if another does."""
    with get_engine().connect() as conn:
        with conn.begin():
            got = bool(conn.scalar(select(func.pg_try_advisory_xact_lock(_ADVISORY_CLASS, _group_key(group_id)))))
            yield got


def take_lease(reconciliation_id: uuid.UUID) -> int | None:
    """Mark the run running and ours until the lease expires. None when it is finished or leased."""
    stmt = (
        update(Reconciliation)
        .where(Reconciliation.id == reconciliation_id, Reconciliation.status.in_(_UNFINISHED),
               or_(Reconciliation.lease_expires_at.is_(None), Reconciliation.lease_expires_at < func.now()))
        .values(status="running", lease_expires_at=func.now() + timedelta(seconds=LEASE_SECONDS),
                attempts=Reconciliation.attempts + 1,
                started_at=func.coalesce(Reconciliation.started_at, func.now()), updated_at=func.now())
        .returning(Reconciliation.attempts)
    )
    with get_engine().begin() as conn:
        row = conn.execute(stmt).first()
    return int(row.attempts) if row else None


def extend_lease(reconciliation_id: uuid.UUID) -> bool:
    stmt = (update(Reconciliation)
            .where(Reconciliation.id == reconciliation_id, Reconciliation.status == "running")
            .values(lease_expires_at=func.now() + timedelta(seconds=LEASE_SECONDS)))
    with get_engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


def hold_lease_until_retry(reconciliation_id: uuid.UUID, countdown: float) -> None:
    """Before a retry with backoff: the sweeper must not send it again while the retry waits."""
    stmt = (update(Reconciliation)
            .where(Reconciliation.id == reconciliation_id, Reconciliation.status == "running")
            .values(lease_expires_at=func.now() + timedelta(seconds=max(countdown - 1, 0))))
    try:
        with get_engine().begin() as conn:
            conn.execute(stmt)
    except Exception as exc:  # the database may be what failed; the lease then expires on its own
        log.warning("reconciliation_lease_hold_failed", reconciliation_id=str(reconciliation_id), error=str(exc))


def stale_ids(limit: int = 100) -> list[uuid.UUID]:
    """Unfinished runs whose lease expired, or queued ones nobody started."""
    now = func.now()
    stmt = (select(Reconciliation.id)
            .where(Reconciliation.status.in_(_UNFINISHED),
                   or_(Reconciliation.lease_expires_at < now,
                       and_(Reconciliation.lease_expires_at.is_(None),
                            Reconciliation.created_at < now - timedelta(seconds=UNSTARTED_GRACE_SECONDS))))
            .order_by(Reconciliation.created_at).limit(limit))
    with get_engine().connect() as conn:
        return list(conn.scalars(stmt))


class Heartbeat(LeaseHeartbeat):
    """Extends the lease from a thread with its own connection while the run reads Stripe."""

    def __init__(self, reconciliation_id: uuid.UUID, interval: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(lambda: extend_lease(reconciliation_id), interval=interval,
                         name=f"reconciliation-{reconciliation_id}", failure_event="reconciliation_heartbeat_failed",
                         reconciliation_id=str(reconciliation_id))
        self.reconciliation_id = reconciliation_id
