"""The operator's console: every practice with its Stripe connection and sync health, and how the
platform's background work is doing.

The boundary, written into the contract (docs/API.md, "Operator console"): the operator runs the
platform, not the practices, so nothing here reads a client's name, an invoice, a payment or any
text a practice wrote — only counts, states and timestamps. Each figure is read for one page of
practices at a time in grouped queries (one per table, never one per practice).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.clients.models import Client
from shared.groups.models import Group
from shared.invoicing.models import InvoicingRun
from shared.ledger.due import OWING_STATUSES
from shared.ledger.invoices import Invoice
from shared.outbox.models import OutboxMessage
from shared.stripe_sync.models import Reconciliation, StripeEvent
from shared.users.models import User

# Background work unfinished this long is shown as stuck: far past what any run or send takes.
STUCK_AFTER = timedelta(minutes=15)
RECENT = timedelta(hours=24)


class PracticeSummary(BaseModel):
    id: uuid.UUID
    name: str
    currency: str
    timezone: str
    created_at: datetime
    stripe_connected: bool
    staff_count: int = Field(description="Active admins and billers.")
    client_count: int
    open_invoice_count: int
    last_reconciliation_status: str | None = None
    last_reconciliation_finished_at: datetime | None = None
    events_failing: int = Field(0, description="Stripe events not applied yet whose last try failed.")
    events_unapplied: int = 0
    oldest_unapplied_event_at: datetime | None = None


class PlatformHealth(BaseModel):
    practice_count: int
    events_failing: int
    oldest_unapplied_event_at: datetime | None
    invoicing_runs_failed_24h: int
    invoicing_runs_stuck: int = Field(description="Queued or running for more than 15 minutes.")
    emails_pending: int
    oldest_pending_email_at: datetime | None
    emails_failed_24h: int
    reconciliations_failed_24h: int


def _by_group(session: Session, stmt: Any) -> dict[uuid.UUID, Any]:
    return {row[0]: row[1:] for row in session.execute(stmt).all()}


def practice_summaries(session: Session, groups: Sequence[Group]) -> list[PracticeSummary]:
    ids = [g.id for g in groups]
    if not ids:
        return []
    staff = _by_group(
        session,
        select(User.group_id, func.count())
        .where(User.group_id.in_(ids), User.role.in_(("admin", "biller")), User.is_active.is_(True))
        .group_by(User.group_id),
    )
    clients = _by_group(
        session, select(Client.group_id, func.count()).where(Client.group_id.in_(ids)).group_by(Client.group_id)
    )
    invoices = _by_group(
        session,
        select(Invoice.group_id, func.count())
        .where(Invoice.group_id.in_(ids), Invoice.status.in_(OWING_STATUSES))
        .group_by(Invoice.group_id),
    )
    unapplied = StripeEvent.processed_at.is_(None)
    events = _by_group(
        session,
        select(
            StripeEvent.group_id,
            func.count().filter(unapplied, StripeEvent.last_error.is_not(None)),
            func.count().filter(unapplied),
            func.min(StripeEvent.received_at).filter(unapplied),
        )
        .where(StripeEvent.group_id.in_(ids))
        .group_by(StripeEvent.group_id),
    )
    latest = _by_group(
        session,
        select(Reconciliation.group_id, Reconciliation.status, Reconciliation.finished_at)
        .where(Reconciliation.group_id.in_(ids))
        .order_by(Reconciliation.group_id, Reconciliation.created_at.desc())
        .distinct(Reconciliation.group_id),
    )
    out = []
    for g in groups:
        failing, waiting, oldest = events.get(g.id, (0, 0, None))
        status, finished = latest.get(g.id, (None, None))
        out.append(
            PracticeSummary(
                id=g.id,
                name=g.name,
                currency=g.currency,
                timezone=g.timezone,
                created_at=g.created_at,
                stripe_connected=g.stripe_connected,
                staff_count=staff.get(g.id, (0,))[0],
                client_count=clients.get(g.id, (0,))[0],
                open_invoice_count=invoices.get(g.id, (0,))[0],
                last_reconciliation_status=status,
                last_reconciliation_finished_at=finished,
                events_failing=failing,
                events_unapplied=waiting,
                oldest_unapplied_event_at=oldest,
            )
        )
    return out


def platform_health(session: Session, now: datetime | None = None) -> PlatformHealth:
    now = now or datetime.now(UTC)
    since, stuck = now - RECENT, now - STUCK_AFTER
    unapplied = StripeEvent.processed_at.is_(None)
    failing, oldest_event = session.execute(
        select(func.count().filter(StripeEvent.last_error.is_not(None)), func.min(StripeEvent.received_at)).where(
            unapplied
        )
    ).one()
    runs_failed, runs_stuck = session.execute(
        select(
            func.count().filter(InvoicingRun.status == "failed", InvoicingRun.updated_at >= since),
            func.count().filter(InvoicingRun.status.in_(("queued", "running")), InvoicingRun.created_at < stuck),
        )
    ).one()
    pending, oldest_email, emails_failed = session.execute(
        select(
            func.count().filter(OutboxMessage.status == "pending"),
            func.min(OutboxMessage.created_at).filter(OutboxMessage.status == "pending"),
            func.count().filter(OutboxMessage.status == "failed", OutboxMessage.failed_at >= since),
        )
    ).one()
    reconciliations_failed = session.scalar(
        select(func.count()).where(Reconciliation.status == "failed", Reconciliation.updated_at >= since)
    )
    return PlatformHealth(
        practice_count=session.scalar(select(func.count()).select_from(Group)) or 0,
        events_failing=failing,
        oldest_unapplied_event_at=oldest_event,
        invoicing_runs_failed_24h=runs_failed,
        invoicing_runs_stuck=runs_stuck,
        emails_pending=pending,
        oldest_pending_email_at=oldest_email,
        emails_failed_24h=emails_failed,
        reconciliations_failed_24h=reconciliations_failed or 0,
    )
