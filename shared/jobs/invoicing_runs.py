"""A bulk invoicing run in the worker, under its lease (what a run issues, in one transaction:
shared/invoicing/issuing.py), and the sweeper that sends again the runs whose worker died."""

from __future__ import annotations

import time
import uuid

import structlog

from shared.db.lease import LeaseLost
from shared.invoicing import issuing
from shared.invoicing.issuing import Lease
from shared.jobs import transaction
from shared.logging import get_logger
from shared.tasks import names
from shared.tasks.enqueue import send_tasks
from shared.tasks.retry import DATABASE_UNAVAILABLE

log = get_logger(__name__)


def execute_run(run_id: uuid.UUID, owner: str) -> str:
    """Take the lease and issue the run's invoices. Returns what happened, for the log.

    Transient database errors propagate (the task retries, taking back its own lease);
    anything else fails the run and sends its services back to the queue.
    """
    lease = issuing.take_lease(run_id, owner)
    if lease is None:
        log.info("invoicing_run_not_taken", run_id=str(run_id))
        return "not_taken"
    structlog.contextvars.bind_contextvars(run_id=str(run_id), group_id=str(lease.group_id))
    if lease.attempts > issuing.MAX_ATTEMPTS:
        fail_run(
            lease,
            "too_many_attempts",
            f"The run was interrupted {lease.attempts - 1} times. Its services are back in the queue.",
        )
        return "failed"
    started = time.perf_counter()
    with issuing.heartbeat(lease):
        try:
            with transaction() as session:
                count = issuing.issue_invoices(session, lease)
        except LeaseLost:
            log.warning("invoicing_run_lease_lost")
            return "lease_lost"
        except DATABASE_UNAVAILABLE:
            issuing.RUNS.release(issuing.RUNS.running(run_id), owner)  # taken again at once by the task's retry
            raise
        except issuing.RunCannotComplete as exc:
            fail_run(lease, exc.code, exc.message)
            return "failed"
        except Exception:
            log.exception("invoicing_run_crashed")
            fail_run(
                lease,
                "internal_error",
                "The run could not be completed because of an error on our side. "
                "Its services are back in the queue; try again.",
            )
            return "failed"
    elapsed = time.perf_counter() - started
    log.info(
        "invoicing_run_succeeded",
        invoices=count,
        seconds=round(elapsed, 3),
        invoices_per_second=round(count / elapsed, 1) if elapsed and count else None,
    )
    return "succeeded"


def fail_run(lease: Lease, code: str, message: str) -> None:
    """Mark the run failed and send its services back to the queue — only while this worker owns it."""
    with transaction() as session:
        released = issuing.fail_run(session, lease, code, message)
    if released is not None:
        log.warning("invoicing_run_failed", code=code, services_released=released)


# A re-sent run that waits longer than this in the broker is dropped; the next sweep sends it again.
RESEND_EXPIRES_SECONDS = 60


def resend_stale_runs() -> int:
    """Send `invoicing.run` again for every run whose worker died or whose message was lost.
    Returns how many were sent (the broker down: the rest wait for the next sweep)."""
    ids = issuing.RUNS.stale_job_ids(grace=issuing.UNSTARTED_GRACE_SECONDS, limit=200)
    sent = send_tasks(names.RUN_INVOICING, [(str(run_id),) for run_id in ids], expires=RESEND_EXPIRES_SECONDS)
    if ids:
        log.info("invoicing_stale_runs_resent", count=sent, found=len(ids))
    return sent
