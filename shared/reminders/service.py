"""Payment reminders: finding the invoices whose step has come, writing their messages, and the
client's one-click opt-out. The rules themselves are pure, in shared/reminders/schedule.py.

- **Who gets one:** an invoice that still owes (open or partly paid, a balance), with no open
  dispute and no card or bank payment on its way, of a client with an email address who has not
  stopped reminders. Checked again just before the message is sent (`check_before_send`): a
  reminder written a minute before the client paid, or held through quiet hours, is not sent.
- **When:** beat runs `write_due_reminders` every 10 minutes; a practice in its quiet hours is
  skipped until they end, and a message that reaches the mail server's turn inside them (an SMTP
  outage that ran into the night) is held until they end.
- **Never twice:** each (invoice, step) is one outbox row (its dedupe key); a run that finds the
  row already there writes nothing. And never two on one day: a step counts only after the day of the
  invoice's last reminder (a schedule changed after today's went sends nothing more today).
- **The opt-out** is a link minted as each reminder is sent (only its digest stored), in the
  email's body and its List-Unsubscribe header; a POST to it stops that client's reminders at that
  practice — a GET never does (a mail scanner following links must not unsubscribe anyone).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.config import app_settings
from shared.errors import NotFound
from shared.groups.models import Group
from shared.ledger.due import OWING_STATUSES, practice_today
from shared.ledger.invoices import Invoice
from shared.logging import get_logger
from shared.outbox import service as outbox
from shared.outbox.models import OutboxMessage
from shared.reminders import schedule
from shared.reminders.models import UnsubscribeLink
from shared.reminders.schemas import UnsubscribeState
from shared.security.tokens import UNSUBSCRIBE_PREFIX, is_well_formed, new_unsubscribe_token, token_digest

log = get_logger(__name__)

# Invoices looked up per query when reading which reminders they have had.
_INVOICE_CHUNK = 1000
INVALID_MESSAGE = "This unsubscribe link is not valid. Contact the practice to stop its reminders."


def _now() -> datetime:
    return datetime.now(UTC)


# --- writing the reminders whose step has come (beat) ----------------------------------------------------


def practices_with_schedule(session: Session) -> list[Any]:
    """Every practice with a reminder schedule: its id, time zone and quiet hours."""
    return list(
        session.execute(
            select(Group.id, Group.timezone, Group.reminder_quiet_start_hour, Group.reminder_quiet_end_hour).where(
                func.cardinality(Group.reminder_schedule_days) > 0
            )
        )
    )


def write_for_practice(session: Session, group_id: uuid.UUID, now: datetime) -> int:
    """The practice's reminders due today at `now` (each step written once): how many were written."""
    group = session.get_one(Group, group_id)
    offsets = group.reminder_schedule_days
    today = practice_today(group.timezone, now)
    zone = ZoneInfo(group.timezone)
    candidates = session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.balance_cents,
            Invoice.currency,
            Invoice.due_date,
            Invoice.created_at,
            Client.name,
            Client.email,
        )
        .join(Client, Client.id == Invoice.client_id)
        .where(
            Invoice.group_id == group.id,
            Invoice.status.in_(OWING_STATUSES),
            # The schedule's first step has come (the partial index of owing invoices by due date).
            Invoice.due_date <= today - timedelta(days=min(offsets)),
            Invoice.balance_cents > 0,
            Invoice.disputed.is_(False),
            Invoice.processing_cents == 0,
            Client.reminders_opted_out_at.is_(None),
            func.coalesce(Client.email, "") != "",
        )
    ).all()
    so_far = _reminders_so_far(session, group.id, [row.id for row in candidates], zone)
    due: list[outbox.DueReminder] = []
    for row in candidates:
        issued_on = row.created_at.astimezone(zone).date()
        reminded = so_far.get(row.id, _NOT_REMINDED)
        step = schedule.due_step(offsets, row.due_date, issued_on, today, reminded.last_day)
        if step is None:
            continue
        key = schedule.dedupe_key(row.id, step)
        if key in reminded.keys:  # this step's message exists (sent, waiting, or skipped unsent)
            continue
        due.append(
            outbox.DueReminder(
                invoice_id=row.id,
                number=row.number,
                balance_cents=row.balance_cents,
                currency=row.currency,
                due_date=row.due_date,
                dedupe_key=key,
                due_words=schedule.due_words((today - row.due_date).days),
                client_name=row.name,
                client_email=row.email,
            )
        )
    return outbox.reminders_due(session, group, due) if due else 0


@dataclass(frozen=True)
class _Reminded:
    keys: frozenset[str]  # the steps whose message was written, in any status
    last_day: date | None  # the practice's calendar day of the latest one not skipped unsent


_NOT_REMINDED = _Reminded(keys=frozenset(), last_day=None)


def _reminders_so_far(
    session: Session, group_id: uuid.UUID, invoice_ids: list[uuid.UUID], zone: ZoneInfo
) -> dict[uuid.UUID, _Reminded]:
    """Each invoice's reminders so far, in one indexed query per chunk of invoices. A reminder skipped
    unsent (the client had opted out, a payment was on its way) reminded nobody, so it is not the
    last reminder, but its step is done."""
    so_far: dict[uuid.UUID, _Reminded] = {}
    for start in range(0, len(invoice_ids), _INVOICE_CHUNK):
        rows = session.execute(
            select(
                OutboxMessage.invoice_id,
                func.array_agg(OutboxMessage.dedupe_key),
                func.max(OutboxMessage.created_at).filter(OutboxMessage.status != "skipped"),
            )
            .where(
                OutboxMessage.group_id == group_id,
                OutboxMessage.kind == "reminder",
                OutboxMessage.invoice_id.in_(invoice_ids[start : start + _INVOICE_CHUNK]),
            )
            .group_by(OutboxMessage.invoice_id)
        )
        for invoice_id, keys, last in rows:
            so_far[invoice_id] = _Reminded(
                keys=frozenset(keys), last_day=last.astimezone(zone).date() if last is not None else None
            )
    return so_far


# --- just before sending (shared/jobs/delivery.py) ----------------------------------------------------------


@dataclass
class SendCheck:
    skip: dict[uuid.UUID, str]  # row id → why it is no longer to be sent (its skip_reason)
    hold: dict[uuid.UUID, float]  # row id → seconds until the practice's quiet hours end


def check_before_send(session: Session, rows: list[Any], now: datetime | None = None) -> SendCheck:
    """For the reminder rows among `rows`: which no longer apply (paid, voided, disputed, a payment on its
    way, the client opted out) and which fall in their practice's quiet hours. One query per batch."""
    check = SendCheck(skip={}, hold={})
    reminder_ids = {row.invoice_id: row.id for row in rows if row.kind == "reminder" and row.invoice_id}
    if not reminder_ids:
        return check
    now = now or _now()
    found = session.execute(
        select(
            Invoice.id,
            Invoice.status,
            Invoice.balance_cents,
            Invoice.disputed,
            Invoice.processing_cents,
            Client.reminders_opted_out_at,
            Group.timezone,
            Group.reminder_quiet_start_hour,
            Group.reminder_quiet_end_hour,
        )
        .join(Client, Client.id == Invoice.client_id)
        .join(Group, Group.id == Invoice.group_id)
        .where(Invoice.id.in_(reminder_ids))
    ).all()
    for invoice in found:
        row_id = reminder_ids[invoice.id]
        reason = _no_longer_due(invoice)
        if reason:
            check.skip[row_id] = reason
            continue
        wait = schedule.seconds_until_quiet_hours_end(
            now, invoice.timezone, invoice.reminder_quiet_start_hour, invoice.reminder_quiet_end_hour
        )
        if wait > 0:
            check.hold[row_id] = wait
    return check


def _no_longer_due(invoice: Any) -> str | None:
    if invoice.status not in OWING_STATUSES or invoice.balance_cents <= 0:
        return "invoice_settled"
    if invoice.disputed:
        return "invoice_disputed"
    if invoice.processing_cents > 0:
        return "payment_processing"
    if invoice.reminders_opted_out_at is not None:
        return "opted_out"
    return None


def unsubscribe_links_for(session: Session, rows: Sequence[Any]) -> dict[uuid.UUID, dict[str, str]]:
    """For a batch about to be sent: each reminder's one-click opt-out, by row id, minted now (the delivery
    job commits them before the first message leaves). `unsubscribe_link` opens the portal's page;
    `unsubscribe_url` is the List-Unsubscribe POST."""
    wanted = [row for row in rows if row.kind == "reminder" and row.invoice_id is not None]
    if not wanted:
        return {}
    settings = app_settings()
    facts: dict[uuid.UUID, dict[str, str]] = {}
    found = session.execute(
        select(Invoice.id, Invoice.client_id).where(Invoice.id.in_({row.invoice_id for row in wanted}))
    )
    clients = {invoice.id: invoice.client_id for invoice in found}
    for row in wanted:
        if row.invoice_id not in clients:
            continue
        token = new_unsubscribe_token()
        session.add(
            UnsubscribeLink(
                group_id=row.group_id,
                client_id=clients[row.invoice_id],
                digest=token_digest(token),
                outbox_message_id=row.id,
            )
        )
        facts[row.id] = {
            "unsubscribe_link": f"{settings.public_portal_url}#/unsubscribe/{token}",
            "unsubscribe_url": f"{settings.api_url}/v1/unsubscribe/{token}",
        }
    return facts


# --- the opt-out (the public unsubscribe page and the List-Unsubscribe POST) ------------------------------------


def invalid() -> NotFound:
    return NotFound(INVALID_MESSAGE, code="unsubscribe_link_invalid")


def find(session: Session, token: str) -> UnsubscribeLink | None:
    if not is_well_formed(token, UNSUBSCRIBE_PREFIX):
        return None
    return session.scalar(select(UnsubscribeLink).where(UnsubscribeLink.digest == token_digest(token)))


def state(session: Session, link: UnsubscribeLink) -> UnsubscribeState:
    found = session.execute(
        select(Group.name, Client.reminders_opted_out_at)
        .join(Client, Client.group_id == Group.id)
        .where(Group.id == link.group_id, Client.id == link.client_id)
    ).one()
    return UnsubscribeState(practice_name=found.name, reminders_stopped=found.reminders_opted_out_at is not None)


def stop_reminders(session: Session, link: UnsubscribeLink) -> UnsubscribeState:
    """The client stops this practice's reminders (idempotent: a second press changes and records nothing).
    Reminders already written and not yet sent are skipped as they come up (`check_before_send`)."""
    stopped = session.execute(
        update(Client)
        .where(Client.id == link.client_id, Client.reminders_opted_out_at.is_(None))
        .values(reminders_opted_out_at=_now(), reminders_stopped_by="client")
    ).rowcount
    session.execute(update(UnsubscribeLink).where(UnsubscribeLink.id == link.id).values(used_at=_now()))
    if stopped:
        actor = Actor(kind="client", group_id=link.group_id, client_id=link.client_id)
        record(session, actor, "client.reminders_stopped", "client", link.client_id, data={"via": "unsubscribe_link"})
        log.info("reminders_stopped", client_id=str(link.client_id))
    return state(session, link)


# --- staff, for a client who asked them (on the phone, at the desk) ------------------------------------------


def set_stopped_by_staff(session: Session, actor: Actor, client_id: str, *, stopped: bool) -> Client:
    """Stop a client's reminders, or send them again (a client who used the link and asked for them back).
    Idempotent: asking for what already holds changes and records nothing; a stop keeps its first time.
    Reminders written and not yet sent follow at their send (`check_before_send`)."""
    client = ClientRepository.from_session(session).get_or_404(actor, client_id, param="id", for_update=True)
    if (client.reminders_opted_out_at is not None) == stopped:
        return client
    client.reminders_opted_out_at = _now() if stopped else None
    client.reminders_stopped_by = "staff" if stopped else None
    session.flush()
    action = "client.reminders_stopped" if stopped else "client.reminders_resumed"
    record(session, actor, action, "client", client.id, data={"via": "staff"})
    log.info(action.replace(".", "_", 1), client_id=str(client.id))
    return client
