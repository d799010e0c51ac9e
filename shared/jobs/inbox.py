"""The Stripe event inbox: take a stored event, apply it once, or record why not.

Exactly once in effect: a worker first takes a short lease on the row (so two copies of
the task do not both work on it), then applies the event and sets `processed_at` in ONE
transaction that also holds the row lock — a processed row is never applied again,
even if a lease ran out under a slow worker. A failure rolls the effect back, keeps
`attempts` and `last_error` (no secrets) on the row, and turns the lease into the
backoff; after MAX_ATTEMPTS the row waits, visible, for an operator
(`clinicpay replay-event`).

The worker takes events in batches (`process_events`): one statement claims them all,
one transaction applies them all and marks them processed, so a busy inbox pays for
one task, one claim and one commit per batch instead of per event. A batch is only a
shortcut: if anything in it fails, it is rolled back whole and its events are applied
one by one (`process_event`), each with its own transaction and failure record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy.exc
import stripe
import structlog
from sqlalchemy import text

import shared.db.models  # noqa: F401 — every mapper, so the ledger's foreign keys resolve in the worker
from shared.alerts.service import raise_alert
from shared.errors import ClinicpayError
from shared.jobs import transaction
from shared.logging import get_logger
from shared.payments.stripe_events import apply_event, preload
from shared.stripe_sync.batching import EVENTS_PER_MESSAGE, in_messages
from shared.stripe_sync.inbox_repository import InboxRepository
from shared.tasks import names
from shared.tasks.enqueue import send_tasks
from shared.tasks.retry import STRIPE_EVENT, STRIPE_EVENT_MAX_ATTEMPTS, TRANSIENT_ERRORS

log = get_logger(__name__)

LEASE_SECONDS = 30.0
# The retry policy (shared/tasks/retry.py): transient errors are retried by the task soon, anything
# else only by the sweeper's slower backoff, until the row's attempts reach the policy's cap.
MAX_ATTEMPTS = STRIPE_EVENT_MAX_ATTEMPTS
# After this many failed tries an event is no passing hiccup (a deploy, a lock): staff hear of it,
# once per event, while clinicpay keeps trying up to MAX_ATTEMPTS.
ALERT_AFTER_ATTEMPTS = 3

# Claim results other than an outcome.
ALREADY_PROCESSED, BUSY, MISSING = "already_processed", "busy", "missing"


class EventNotApplied(Exception):
    """What the task raises when an event failed for good this time: one plain message, so Celery
    can serialize it (the row already holds attempts and last_error)."""


class EventFailed(Exception):
    def __init__(self, event_id: uuid.UUID, attempts: int, retry_in: float, cause: BaseException) -> None:
        super().__init__(f"event {event_id} failed on attempt {attempts}: {describe(cause)}")
        self.event_id = event_id
        self.attempts = attempts
        self.retry_in = retry_in
        self.cause = cause

    @property
    def transient(self) -> bool:
        return isinstance(self.cause, TRANSIENT_ERRORS)

    @property
    def attempts_left(self) -> bool:
        return self.attempts < MAX_ATTEMPTS


def describe(exc: BaseException) -> str:
    """What an operator needs to see; never SQL parameters (they would carry the payload)."""
    if isinstance(exc, ClinicpayError):
        text = f"{type(exc).__name__}: {exc.message}"
    elif isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        text = f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0] if str(exc.orig) else ''}"
    elif isinstance(exc, stripe.StripeError):
        text = f"{type(exc).__name__}: {exc.user_message or ''}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:1000]


def process_event(event_id: uuid.UUID) -> str:
    """Claim and apply one inbox row. Returns its outcome (applied | ignored | unmatched), or
    ALREADY_PROCESSED / BUSY / MISSING when there was nothing for us to do. Raises EventFailed."""
    claimed = _claim([event_id], up_to=1)
    if event_id not in claimed:
        return _why_not_claimed(event_id)
    return _apply_claimed(event_id, claimed[event_id])


@dataclass
class BatchResult:
    outcomes: dict[uuid.UUID, str] = field(default_factory=dict)  # applied | ignored | unmatched, per row
    failures: list[EventFailed] = field(default_factory=list)
    skipped: int = 0  # processed already, or leased by another worker


def process_events(event_ids: list[uuid.UUID]) -> BatchResult:
    """Claim and apply a batch of inbox rows: together when they all apply cleanly, else one by one.
    Raises only when the database is unreachable before anything was claimed."""
    claimed = _claim(event_ids, up_to=EVENTS_PER_MESSAGE)
    result = BatchResult(skipped=len(set(event_ids) - set(claimed)))
    if not claimed:
        return result
    try:
        result.outcomes = _apply_together(list(claimed))
    except Exception as exc:
        if len(claimed) > 1:
            log.info("stripe_event_batch_split", events=len(claimed), error=describe(exc))
        for event_id, attempts in claimed.items():
            try:
                result.outcomes[event_id] = _apply_claimed(event_id, attempts)
            except EventFailed as failed:
                result.failures.append(failed)
        return result
    for event_id, outcome in result.outcomes.items():
        log.info("stripe_event_processed", event_row_id=str(event_id), outcome=outcome, attempts=claimed[event_id])
    return result


def _claim(event_ids: list[uuid.UUID], *, up_to: int) -> dict[uuid.UUID, int]:
    """Lease the rows (topped up to `up_to` from the waiting backlog): {row id: attempt number}."""
    with transaction() as session:
        # A lost lease costs only a second look at the row (processed_at decides), so this commit need
        # not wait for the disk; the effect's own commit does.
        session.execute(text("SET LOCAL synchronous_commit = off"))
        return InboxRepository.from_session(session).claim(
            event_ids, LEASE_SECONDS, up_to=up_to, max_attempts=MAX_ATTEMPTS
        )


def _apply_together(event_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    outcomes: dict[uuid.UUID, str] = {}
    with transaction() as session:
        repo = InboxRepository.from_session(session)
        rows = repo.lock_unprocessed(event_ids)
        preload(session, [(row.group_id, row.payload) for row in rows])
        for row in rows:
            with structlog.contextvars.bound_contextvars(
                event_row_id=str(row.id),
                stripe_event_id=row.stripe_event_id,
                group_id=str(row.group_id),
                event_type=row.type,
            ):
                outcomes[row.id] = apply_event(session, row.group_id, row.payload, source=row.source)
        repo.mark_processed(outcomes)
    return outcomes


def _why_not_claimed(event_id: uuid.UUID) -> str:
    with transaction() as session:
        row = InboxRepository.from_session(session).get(event_id)
        if row is None:
            return MISSING
        return ALREADY_PROCESSED if row.processed_at is not None else BUSY


def _apply_claimed(event_id: uuid.UUID, attempts: int) -> str:
    try:
        outcomes = _apply_together([event_id])  # a batch of one: its own transaction, its own failure
    except Exception as exc:
        retry_in = STRIPE_EVENT.delay(max(attempts, 1))
        _record_failure(event_id, exc, retry_in, attempts)
        log.warning(
            "stripe_event_failed",
            event_row_id=str(event_id),
            attempts=attempts,
            error=describe(exc),
            retry_in=round(retry_in, 1),
            final=attempts >= MAX_ATTEMPTS,
        )
        raise EventFailed(event_id, attempts, retry_in, exc) from exc
    if event_id not in outcomes:
        return ALREADY_PROCESSED
    log.info("stripe_event_processed", event_row_id=str(event_id), outcome=outcomes[event_id], attempts=attempts)
    return outcomes[event_id]


def _record_failure(event_id: uuid.UUID, exc: BaseException, retry_in: float, attempts: int) -> None:
    try:
        with transaction() as session:
            repo = InboxRepository.from_session(session)
            # Leave a margin so the task's own retry, due at `retry_in`, finds the lease expired.
            repo.record_failure(event_id, describe(exc), max(retry_in - 0.5, 0.0))
            row = repo.get(event_id) if attempts >= ALERT_AFTER_ATTEMPTS else None
            if row is not None:
                # The message names the event, never its error text (which may quote a database).
                raise_alert(
                    session,
                    group_id=row.group_id,
                    kind="stripe_event_failing",
                    dedupe_key=f"stripe_event_failing:{row.id}",
                    message=(
                        f"Stripe's {row.type} event {row.stripe_event_id} has failed to apply {attempts} times; "
                        "clinicpay keeps trying. If it does not clear, the operator can replay it "
                        f"(clinicpay replay-event {row.stripe_event_id})."
                    ),
                    data={"stripe_event_id": row.stripe_event_id, "type": row.type, "attempts": attempts},
                )
    except Exception as record_exc:
        log.warning("stripe_event_failure_not_recorded", event_row_id=str(event_id), error=describe(record_exc))


# --- The sweeper: the broker is only a wake-up, the inbox is the record. ---

UNDISPATCHED_AFTER_SECONDS = 10.0
LOST_AFTER_SECONDS = 60.0
SWEEP_BATCH = 500


def sweep() -> int:
    """Send again what the broker may have lost; returns how many were sent."""
    with transaction() as session:
        repo = InboxRepository.from_session(session)
        ids = repo.lock_for_sweep(
            undispatched_after_s=UNDISPATCHED_AFTER_SECONDS,
            lost_after_s=LOST_AFTER_SECONDS,
            max_attempts=MAX_ATTEMPTS,
            limit=SWEEP_BATCH,
        )
        messages = in_messages(ids)
        # The broker down: the rest stay as they are for the next sweep.
        went = send_tasks(names.APPLY_STRIPE_EVENTS, [([str(event_id) for event_id in m],) for m in messages])
        sent = [event_id for message in messages[:went] for event_id in message]
        # dispatched_at restarts the "lost" clock, so a queued message is not sent again every sweep.
        repo.mark_dispatched(sent)
    if sent:
        log.info("stripe_events_resent", count=len(sent), found=len(ids))
    return len(sent)
