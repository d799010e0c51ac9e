"""Reconciliation: read what Stripe says and bring our ledger in line, for when a webhook never came.

A run reads, for one group, since a watermark:
  (a) our card payments Stripe may know more about — every unsettled one (pending with a
      PaymentIntent, requires_action, processing) and every one touched in the window —
      each PaymentIntent retrieved by id;
  (b) the `payment_intent.*` events Stripe emitted in the window (GET /v1/events, the
      endpoint Stripe offers for catching up on undelivered events), each PaymentIntent
      retrieved again for its current state;
  (c) the events of every other type we handle (refunds, disputes: `handled_event_types()`)
      emitted in the window, stored in the webhook inbox as their delivery would have been and
      applied through it, so a lost refund or dispute event is recovered exactly once whether its
      webhook comes later, came already, or never comes.
Each PaymentIntent state goes through `apply_payment_intent`, the one function that moves the ledger, in a
transaction of its own (it locks the invoice and is idempotent, so a webhook or a second run
arriving at the same time changes nothing twice). What changed is recorded in `fixed`, in the
same transaction as the change; PaymentIntents whose metadata names this group but match no
payment of ours go to `unmatched`, and those whose amount or currency differs from the payment
they name (not applied, alerted) to `errors` as `payment_intent_mismatch`. The next run starts
where the last successful one stopped, minus an overlap, because Stripe's event list may show
an event a little after its `created`.
"""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy.orm import Session

from shared.actor import SYSTEM, Actor
from shared.alerts.service import raise_alert
from shared.audit.service import record
from shared.db.lease import Heartbeat, LeasedJobs, LeaseLost, advisory_lock
from shared.errors import Conflict
from shared.groups.models import Group
from shared.jobs import inbox, transaction
from shared.ledger.balances import lock_invoice
from shared.ledger.currency import format_money
from shared.logging import get_logger
from shared.payments.card import apply_payment_intent, find_card_payment
from shared.payments.portal_repository import PortalPaymentRepository
from shared.stripe_sync.connection import handled_event_types
from shared.stripe_sync.gateway import StripeGateway, StripeUnavailable
from shared.stripe_sync.inbox_repository import InboxRepository
from shared.stripe_sync.models import Reconciliation
from shared.stripe_sync.reconciliation import request_reconciliation
from shared.stripe_sync.reconciliation_repository import ReconciliationRepository
from shared.stripe_sync.shapes import PaymentIntentData
from shared.tasks import names
from shared.tasks.enqueue import send_tasks
from shared.tasks.retry import RECONCILIATION_MAX_TAKES

log = get_logger(__name__)

OVERLAP_SECONDS = 300
# A group's first run looks back as far as Stripe keeps retrying a webhook.
FIRST_LOOKBACK_SECONDS = 3 * 24 * 3600
MAX_PAYMENTS_PER_RUN = 2000
# Exact types: the stand-in filters `type` by equality, so no `payment_intent.*` wildcard.
PAYMENT_INTENT_EVENT_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
    "payment_intent.amount_capturable_updated",
)


def other_event_types() -> list[str]:
    """The handled event types whose object is not a PaymentIntent (refunds, disputes): caught up
    through the inbox, since their object cannot be settled by reading one PaymentIntent again."""
    return [t for t in handled_event_types() if not t.startswith("payment_intent.")]


def schedule_all() -> int:
    """One run per connected group that has none queued or running (beat, every few minutes)."""
    with transaction() as session:
        group_ids = ReconciliationRepository.from_session(session).connected_group_ids()
    created = 0
    for group_id in group_ids:
        try:
            with transaction() as session:
                _, new = request_reconciliation(session, Actor(kind="system", group_id=group_id), trigger="schedule")
                created += int(new)
        except Conflict:
            continue  # disconnected meanwhile
    return created


# --- Who may work on a run, and for how long ---
# Two guards, for two different races:
# - the lease on the row (shared/db/lease.py, kept alive by a heartbeat) says a worker is on this run;
#   when the worker dies the lease expires and the sweeper sends the run again — within a minute or
#   two, not when the broker's one-hour visibility timeout ends. The owner is the Celery task id, so
#   the task's own retry takes its lease back; a worker whose lease was taken over stops;
# - a per-group advisory lock, held in a transaction of its own for the whole run, keeps two runs of
#   one group (a scheduled one and a re-sent one) from reading Stripe side by side. It dies with the
#   worker's connection, so a crash never leaves it stuck.

RECONCILIATIONS = LeasedJobs(Reconciliation)
LEASE_SECONDS = 60
HEARTBEAT_SECONDS = 10
MAX_ATTEMPTS = RECONCILIATION_MAX_TAKES
# A queued run nobody has started by then lost its message (broker restart, a failed send).
UNSTARTED_GRACE_SECONDS = 30
_UNFINISHED = LeasedJobs.UNFINISHED
_ADVISORY_CLASS = 0x5EC0  # the first key of pg_try_advisory_xact_lock(int, int): "reconciliation"


def group_lock(group_id: uuid.UUID) -> AbstractContextManager[bool]:
    """Yields True while this process holds the group's reconciliation lock, False if another does."""
    return advisory_lock(_ADVISORY_CLASS, group_id)


def take_lease(reconciliation_id: uuid.UUID, owner: str) -> int | None:
    """Mark the run running and `owner`'s until the lease expires: its attempt number, or None when
    it is finished or another worker holds it."""
    row = RECONCILIATIONS.take_job(reconciliation_id, owner, LEASE_SECONDS, returning=(Reconciliation.attempts,))
    return int(row.attempts) if row else None


def hold_lease_until_retry(reconciliation_id: uuid.UUID, owner: str, countdown: float) -> None:
    """Before a retry with backoff: the sweeper must not send it again while the retry waits."""
    RECONCILIATIONS.release(RECONCILIATIONS.running(reconciliation_id), owner, seconds=countdown - 1)


# --- Running one ---


@dataclass
class _Run:
    reconciliation_id: uuid.UUID
    group_id: uuid.UUID
    beat: Heartbeat
    seen: set[str] = field(default_factory=set)


def reconcile(reconciliation_id: uuid.UUID, owner: str | None = None) -> str:
    """Run one reconciliation. Returns what happened: succeeded | failed | skipped | lease_lost.

    Raises StripeUnavailable for the task to retry with backoff (the row stays running).
    """
    owner = owner or f"local-{uuid.uuid4()}"
    with transaction() as session:
        rec = session.get(Reconciliation, reconciliation_id)
        if rec is None or rec.status not in _UNFINISHED:
            return "skipped"
        group_id = rec.group_id
    with group_lock(group_id) as ours:
        if not ours:
            log.info("reconciliation_group_busy", reconciliation_id=str(reconciliation_id), group_id=str(group_id))
            return "skipped"
        attempts = take_lease(reconciliation_id, owner)
        if attempts is None:
            return "skipped"
        if attempts > MAX_ATTEMPTS:
            finish(
                reconciliation_id,
                "failed",
                [{"code": "too_many_attempts", "message": "The run was started too many times without finishing."}],
            )
            return "failed"
        beat = RECONCILIATIONS.heartbeat(
            RECONCILIATIONS.running(reconciliation_id),
            owner,
            seconds=LEASE_SECONDS,
            interval=HEARTBEAT_SECONDS,
            reconciliation_id=str(reconciliation_id),
        )
        with beat:
            try:
                return _run(_Run(reconciliation_id, group_id, beat))
            except LeaseLost:
                log.warning("reconciliation_lease_lost", reconciliation_id=str(reconciliation_id))
                return "lease_lost"


def _run(run: _Run) -> str:
    with transaction() as session:
        group = session.get(Group, run.group_id)
        if group is None or not group.stripe_connected:
            finish_in(
                session,
                run.reconciliation_id,
                "failed",
                [{"code": "stripe_not_connected", "message": "Stripe was disconnected before the run."}],
            )
            return "failed"
        gateway = StripeGateway.for_group(group)
        repo = ReconciliationRepository.from_session(session)
        previous = repo.last_watermark(run.group_id)
        now = int(time.time())
        watermark_from = (previous - OVERLAP_SECONDS) if previous else now - FIRST_LOOKBACK_SECONDS
        rec = session.get_one(Reconciliation, run.reconciliation_id)
        rec.watermark_from, rec.watermark_to = watermark_from, now
        payments = repo.payments_to_check(
            run.group_id, datetime.fromtimestamp(watermark_from, UTC), MAX_PAYMENTS_PER_RUN
        )
    log.info(
        "reconciliation_started",
        reconciliation_id=str(run.reconciliation_id),
        group_id=str(run.group_id),
        watermark_from=watermark_from,
        payments=len(payments),
    )
    errors: list[dict[str, Any]] = []
    try:
        for payment_id, pi_id in payments:
            run.beat.check()  # taken over by another worker: stop here
            _check_payment_intent(run, gateway, pi_id, errors, payment_id=payment_id)
        for event_type in PAYMENT_INTENT_EVENT_TYPES:
            events = list(gateway.iter_events(event_type=event_type, created_gte=watermark_from))
            _skip_settled(run, events)
            for event in events:
                run.beat.check()
                _check_event(run, gateway, event, errors)
        for event_type in other_event_types():
            for event in gateway.iter_events(event_type=event_type, created_gte=watermark_from):
                run.beat.check()
                _catch_up_event(run, event, errors)
    except stripe.AuthenticationError:
        finish(
            run.reconciliation_id,
            "failed",
            errors
            + [
                {
                    "code": "stripe_key_invalid",
                    "message": "Stripe refused the practice's secret key. Connect Stripe again in the settings.",
                }
            ],
        )
        return "failed"
    except stripe.StripeError as exc:
        finish(run.reconciliation_id, "failed", errors + [{"code": "stripe_error", "message": str(exc)[:500]}])
        return "failed"
    run.beat.check()
    finish(run.reconciliation_id, "succeeded", errors)
    return "succeeded"


def _skip_settled(run: _Run, events: list[dict[str, Any]]) -> None:
    """PaymentIntents whose payment here is settled (succeeded, canceled) need no fetch: nothing Stripe
    says can move them any more (`apply_payment_intent` would change nothing). With 1,000 payments in
    the window, fetching each again was most of a run's time (bench/RESULTS.md, Reconciliation)."""
    pi_ids = set()
    for event in events:
        obj = (event.get("data") or {}).get("object")
        if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"] not in run.seen:
            pi_ids.add(obj["id"])
    if pi_ids:
        with transaction() as session:
            run.seen |= ReconciliationRepository.from_session(session).settled_payment_intents(run.group_id, pi_ids)


def _check_event(run: _Run, gateway: StripeGateway, event: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    obj = (event.get("data") or {}).get("object") or {}
    pi_id = obj.get("id")
    if not isinstance(pi_id, str) or pi_id in run.seen:
        return
    metadata = obj.get("metadata") or {}
    named = metadata.get("group_id") if isinstance(metadata, dict) else None
    if named is not None and named != str(run.group_id):
        run.seen.add(pi_id)  # another practice's payment on a shared Stripe: not ours to read
        return
    _check_payment_intent(run, gateway, pi_id, errors, event_id=event.get("id"))


def _catch_up_event(run: _Run, event: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    """Store the event in the inbox as its webhook would have, and apply it through the inbox (the
    row's lock and `processed_at` make it count once, a webhook of the same event included). A failure
    stays on the row for the inbox's own retries and the sweeper; the run only reports it."""
    with transaction() as session:
        row_id, processed = InboxRepository.from_session(session).store_caught_up(run.group_id, event)
    if processed:
        return  # delivered and applied already
    try:
        outcome = inbox.process_event(row_id)
    except inbox.EventFailed as failed:
        errors.append(
            {
                "code": "event_not_applied",
                "event_id": event.get("id"),
                "event_type": event.get("type"),
                "message": inbox.describe(failed.cause),
            }
        )
        return
    if outcome != "applied":
        return
    obj = (event.get("data") or {}).get("object") or {}
    with transaction() as session:
        rec = session.get_one(Reconciliation, run.reconciliation_id, with_for_update=True)
        rec.fixed = [
            *rec.fixed,
            {
                "event_id": event.get("id"),
                "event_type": event.get("type"),
                "object": obj.get("id"),
                "payment_intent": obj.get("payment_intent") if isinstance(obj.get("payment_intent"), str) else None,
            },
        ]
    log.info(
        "reconciliation_event_applied",
        reconciliation_id=str(run.reconciliation_id),
        stripe_event_id=event.get("id"),
        event_type=event.get("type"),
    )


def _check_payment_intent(
    run: _Run,
    gateway: StripeGateway,
    pi_id: str,
    errors: list[dict[str, Any]],
    *,
    payment_id: uuid.UUID | None = None,
    event_id: str | None = None,
) -> None:
    if pi_id in run.seen:
        return
    run.seen.add(pi_id)
    try:
        pi = gateway.retrieve_payment_intent(pi_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        errors.append(
            {
                "code": "payment_intent_missing",
                "payment_intent": pi_id,
                "payment_id": str(payment_id) if payment_id else None,
                "message": "Stripe does not know this PaymentIntent (was another Stripe account connected?).",
            }
        )
        return
    with transaction() as session:
        found = find_card_payment(session, run.group_id, pi)
        before = None
        if found is not None:
            lock_invoice(session, found.invoice_id, run.group_id)
            before = PortalPaymentRepository.from_session(session).reload(found).status
        result = apply_payment_intent(session, run.group_id, pi, source="reconciliation")
        rec = session.get_one(Reconciliation, run.reconciliation_id, with_for_update=True)
        if result.outcome == "applied":
            rec.fixed = [
                *rec.fixed,
                {
                    "payment_id": str(result.payment_id),
                    "invoice_id": str(result.invoice_id),
                    "from": before,
                    "to": result.status,
                    "payment_intent": pi_id,
                },
            ]
            log.info(
                "reconciliation_fixed",
                reconciliation_id=str(run.reconciliation_id),
                payment_id=str(result.payment_id),
                payment_intent=pi_id,
                previous=before,
                status=result.status,
            )
        elif result.outcome == "mismatched":
            # Recorded on the payment and alerted (shared.payments.card); the run says so too.
            errors.append(
                {
                    "code": "payment_intent_mismatch",
                    "payment_intent": pi_id,
                    "payment_id": str(result.payment_id),
                    "invoice_id": str(result.invoice_id),
                    "message": "Stripe reports this PaymentIntent with another amount or currency than the "
                    "payment it names; it was not applied (see the staff alerts).",
                }
            )
        elif result.outcome == "unmatched" and _names_group(pi, run.group_id):
            metadata = pi.get("metadata") or {}
            rec.unmatched = [
                *rec.unmatched,
                {
                    "payment_intent": pi_id,
                    "status": pi.get("status"),
                    "amount_cents": pi.get("amount"),
                    "currency": (pi.get("currency") or "").upper() or None,
                    "payment_id": metadata.get("payment_id"),
                    "invoice_id": metadata.get("invoice_id"),
                    "invoice_number": metadata.get("invoice_number"),
                    "event_id": event_id,
                },
            ]
            log.warning("reconciliation_unmatched", reconciliation_id=str(run.reconciliation_id), payment_intent=pi_id)
            _alert_unmatched(session, run.group_id, pi, pi_id)


def _alert_unmatched(session: Session, group_id: uuid.UUID, pi: PaymentIntentData, pi_id: str) -> None:
    """Money at Stripe our books do not show: one alert per PaymentIntent, however many runs find it."""
    amount, currency = pi.get("amount"), (pi.get("currency") or "").upper()
    what = format_money(amount, currency) if isinstance(amount, int) and currency else "a payment"
    raise_alert(
        session,
        group_id=group_id,
        kind="reconciliation_mismatch",
        dedupe_key=f"reconciliation_unmatched:{pi_id}",
        message=(
            f"Reconciliation found {what} at Stripe ({pi_id}, {pi.get('status')}) that no invoice here "
            "records. Find it in Stripe: refund it, or record it on the invoice it was meant for."
        ),
        data={"payment_intent": pi_id, "amount_cents": amount, "currency": currency or None},
    )


def _names_group(pi: PaymentIntentData, group_id: uuid.UUID) -> bool:
    metadata = pi.get("metadata")
    return isinstance(metadata, dict) and metadata.get("group_id") == str(group_id)


def finish(reconciliation_id: uuid.UUID, status: str, errors: list[dict[str, Any]]) -> None:
    with transaction() as session:
        finish_in(session, reconciliation_id, status, errors)


def finish_in(session: Session, reconciliation_id: uuid.UUID, status: str, errors: list[dict[str, Any]]) -> None:
    rec = session.get(Reconciliation, reconciliation_id, with_for_update=True)
    if rec is None or rec.status in ("succeeded", "failed"):
        return
    rec.status = status
    # A transient error shown while the run waited to retry is history once it finishes.
    rec.errors = [*_lasting(rec.errors), *errors]
    rec.finished_at = datetime.now(UTC)
    rec.lease_expires_at = None  # the owner stays, for the record: who finished it
    record(
        session,
        SYSTEM,
        f"reconciliation.{status}",
        "reconciliation",
        rec.id,
        group_id=rec.group_id,
        data={"fixed": len(rec.fixed or []), "unmatched": len(rec.unmatched or []), "errors": len(rec.errors)},
    )
    log.info(
        "reconciliation_finished",
        reconciliation_id=str(rec.id),
        group_id=str(rec.group_id),
        status=status,
        fixed=len(rec.fixed or []),
        unmatched=len(rec.unmatched or []),
        errors=len(rec.errors),
    )


def _lasting(errors: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [e for e in errors or [] if not e.get("retrying")]


def note_retry(reconciliation_id: uuid.UUID, attempt: int, countdown: float) -> None:
    """While a run waits to retry, its job shows why (replacing an earlier such note): a biller
    polling it sees "Stripe did not answer; trying again", not a silent "running"."""
    note = {
        "code": "stripe_unavailable",
        "retrying": True,
        "attempt": attempt,
        "message": f"Stripe did not answer (attempt {attempt}); trying again in about {max(round(countdown), 1)} s.",
    }
    try:
        with transaction() as session:
            rec = session.get(Reconciliation, reconciliation_id, with_for_update=True)
            if rec is not None and rec.status in ("queued", "running"):
                rec.errors = [*_lasting(rec.errors), note]
    except Exception as exc:
        log.warning("reconciliation_retry_note_failed", reconciliation_id=str(reconciliation_id), error=str(exc))


def give_up(reconciliation_id: uuid.UUID, exc: BaseException) -> None:
    """After the last retry: failed, with why, for the health page."""
    if isinstance(exc, StripeUnavailable):
        error = {"code": "stripe_unavailable", "message": "Stripe did not answer after several tries."}
    else:
        error = {"code": "internal_error", "message": "The run stopped on an unexpected error."}
    finish(reconciliation_id, "failed", [error])


# --- The sweeper ---


def sweep_stale() -> int:
    """Send again the runs whose worker died or whose message was lost."""
    stale = RECONCILIATIONS.stale_job_ids(grace=UNSTARTED_GRACE_SECONDS, limit=100)
    # The broker down: the rest wait for the next sweep.
    sent = send_tasks(names.RECONCILE_GROUP, [(str(rec_id),) for rec_id in stale])
    if sent:
        log.info("reconciliations_resent", count=sent)
    return sent
