"""Sending outbox rows from the worker: lease, send over one SMTP connection, mark.

SMTP cannot promise exactly once: a worker killed after the server's 250 and before the row is
marked sends it again when its lease expires. The resend carries the row's Message-ID, so the
receiving side sees one message. Each row is marked right after its own 250, to keep that window
to one message.

- a connection failure or a 4xx: the row stays pending and leased until the task's retry is due
  (the project's retry policy, shared/tasks/retry.py); once the retries are spent the lease
  runs out and the beat sweeper sends it again — it is retried until the server is back;
- a 5xx for the address or the message: final — the row is `failed` with the server's answer and
  staff get an `email_undeliverable` alert, in one transaction;
- a row already sent, failed, or leased by another worker is left alone;
- a reminder is checked again first (shared/reminders/service.py): one whose invoice was paid,
  voided or disputed, or whose client opted out, since it was written is `skipped`; one inside its
  practice's quiet hours is held (its lease) until they end, when the sweeper sends it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, func, update
from sqlalchemy.exc import DBAPIError

from shared.config import smtp_settings
from shared.jobs import transaction
from shared.jobs.attachments import attachments_for
from shared.logging import get_logger
from shared.outbox import repository
from shared.outbox.models import OutboxMessage
from shared.outbox.rendering import Attachment, build_email
from shared.outbox.schemas import ACCOUNT_KINDS
from shared.outbox.service import BATCH_SIZE
from shared.outbox.transport import AddressRefused, SmtpConnection, SmtpUnavailable
from shared.paylinks.service import pay_links_for
from shared.reminders import service as reminders
from shared.tasks import names
from shared.tasks.enqueue import send_tasks
from shared.tasks.retry import TASK

log = get_logger(__name__)

LEASE_SECONDS = 30
HEARTBEAT_SECONDS = 5

_KIND_WORDS = {
    "invoice_issued": "the invoice email",
    "pay_link": "a new payment link",
    "payment_receipt": "the payment receipt",
    "payment_failed": "the failed-payment notice",
    "refund_receipt": "the refund receipt",
    "reminder": "a payment reminder",
    "staff_alert": "a staff alert",
}


@dataclass
class Delivery:
    sent: list[uuid.UUID] = field(default_factory=list)
    refused: list[uuid.UUID] = field(default_factory=list)
    waiting: list[uuid.UUID] = field(default_factory=list)
    error: str | None = None


def retry_hold_seconds(retries: int) -> float:
    """Until the task's own retry is surely due (the task policy's longest wait), and a margin."""
    return TASK.longest(retries) + 5


def deliver(ids: list[uuid.UUID], owner: str, retries: int = 0) -> Delivery:
    """Send the rows among `ids` this worker can lease. Raises SmtpUnavailable (after holding the
    rows for the retry) when any is still waiting for the server."""
    rows = repository.take_leases(ids, owner, LEASE_SECONDS)
    result = Delivery()
    rows = _without_reminders_not_to_send(rows, owner)
    if not rows:
        return result
    sender = smtp_settings().sender
    heartbeat = repository.heartbeat([r.id for r in rows], owner, seconds=LEASE_SECONDS, interval=HEARTBEAT_SECONDS)
    with heartbeat:
        try:
            with SmtpConnection() as smtp:
                minted = _sent_facts(rows)
                for row in rows:
                    if heartbeat.lost:  # another worker took these rows over: they are its to send
                        log.warning("outbox_lease_lost", left=len(rows) - len(result.sent) - len(result.refused))
                        break
                    structlog.contextvars.bind_contextvars(outbox_message_id=str(row.id), group_id=str(row.group_id))
                    try:
                        email = build_email(row, minted.get(row.id), _attachments(row))
                        smtp.send(email, sender, row.to_address or "")  # none: refused, so it fails visibly
                    except AddressRefused as exc:
                        refuse(row, owner, exc)
                        result.refused.append(row.id)
                        continue
                    except SmtpUnavailable as exc:
                        result.waiting.append(row.id)
                        result.error = str(exc)
                        continue
                    with transaction() as session:
                        repository.mark_sent(session, row.id)
                    result.sent.append(row.id)
        except SmtpUnavailable as exc:
            done = set(result.sent) | set(result.refused)
            result.waiting = [] if heartbeat.lost else [r.id for r in rows if r.id not in done]
            result.error = str(exc)
        finally:
            structlog.contextvars.unbind_contextvars("outbox_message_id", "group_id")
    log.info("outbox_delivered", sent=len(result.sent), refused=len(result.refused), waiting=len(result.waiting))
    if result.waiting:
        hold = retry_hold_seconds(retries)
        repository.hold_for_retry(result.waiting, owner, result.error or "unavailable", hold)
        log.warning("outbox_smtp_unavailable", waiting=len(result.waiting), error=result.error, retry_within=hold)
        raise SmtpUnavailable(result.error or "unavailable")
    return result


def _sent_facts(rows: list[OutboxMessage]) -> dict[uuid.UUID, dict[str, str]]:
    """What is minted as the batch is sent (once the server answered), never stored with the rows: pay
    links, reminders' opt-outs — by row id, committed before the first message leaves, so every link
    works by the time its email arrives."""
    with transaction() as session:
        pay_links = pay_links_for(session, rows)
        opt_outs = reminders.unsubscribe_links_for(session, rows)
    return {row.id: pay_links.get(row.id, {}) | opt_outs.get(row.id, {}) for row in rows}


def _attachments(row: OutboxMessage) -> tuple[Attachment, ...]:
    """The row's attachments (a receipt's PDF). One that cannot be drawn (a bug, a font gone missing) does
    not hold the email back: the client still hears of the payment, the error is logged for operators,
    and the portal serves the receipt once it is fixed. The database being unavailable is not that: it
    fails the send, which is retried as every other send is."""
    try:
        with transaction() as session:
            return attachments_for(session, row)
    except DBAPIError:
        raise
    except Exception as exc:
        log.error("receipt_attachment_failed", kind=row.kind, error=type(exc).__name__)
        return ()


def _without_reminders_not_to_send(rows: list[OutboxMessage], owner: str) -> list[OutboxMessage]:
    """Reminders that no longer apply are marked skipped; those inside quiet hours are held until they end."""
    with transaction() as session:
        check = reminders.check_before_send(session, rows)
        for row_id, reason in check.skip.items():
            repository.mark_skipped(session, row_id, owner, reason)
        for row_id, seconds in check.hold.items():
            repository.hold_for_retry([row_id], owner, "quiet_hours", seconds, session=session)
    if check.skip or check.hold:
        log.info("outbox_reminders_checked", skipped=len(check.skip), held_for_quiet_hours=len(check.hold))
    return [row for row in rows if row.id not in check.skip and row.id not in check.hold]


def refuse(row: OutboxMessage, owner: str, exc: AddressRefused) -> None:
    """The server refused the address for good: record it on the row and tell the practice's staff."""
    from shared.alerts.service import raise_alert

    with transaction() as session:
        marked = cast(
            CursorResult[Any],
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row.id, OutboxMessage.status == "pending", repository.MESSAGES.held_by(owner)
                )
                .values(
                    {
                        OutboxMessage.status: "failed",
                        OutboxMessage.failed_at: func.now(),
                        OutboxMessage.last_error: str(exc)[:500],
                        **repository.MESSAGES.cleared(),
                    }
                )
            ),
        ).rowcount
        if not marked:
            return
        if row.kind in ACCOUNT_KINDS or row.group_id is None:
            log.warning("outbox_message_refused", kind=row.kind, smtp_code=exc.code)
            return
        number = row.facts.get("invoice_number")
        about = _KIND_WORDS.get(row.kind, "an email") + (f" for invoice {number}" if number else "")
        raise_alert(
            session,
            group_id=row.group_id,
            kind="email_undeliverable",
            dedupe_key=f"email_undeliverable:{row.id}",
            message=f"The mail server refused {about} to {row.to_address} ({exc.code} {exc.reply}). "
            "Check the address on file.",
            invoice_id=row.invoice_id,
            data={"outbox_message_id": str(row.id), "message_kind": row.kind, "smtp_code": exc.code},
        )
    log.warning("outbox_message_refused", kind=row.kind, smtp_code=exc.code)


# A re-sent batch that waits longer than this in the broker is dropped; the next sweep sends it again.
RESEND_EXPIRES_SECONDS = 60


def resend_unsent() -> int:
    """The sweeper: send again every pending row whose lease expired or that was never taken.
    Returns how many rows were sent (the broker down: the rest wait for the next sweep)."""
    ids = repository.stale_ids()
    batches = [([str(i) for i in ids[start : start + BATCH_SIZE]],) for start in range(0, len(ids), BATCH_SIZE)]
    went = send_tasks(names.SEND_EMAILS, batches, expires=RESEND_EXPIRES_SECONDS)
    sent = sum(len(batch[0]) for batch in batches[:went])
    if ids:
        log.info("outbox_unsent_resent", count=sent, found=len(ids))
    return sent
