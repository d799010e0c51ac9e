"""Carrying out an invoicing run in the worker: one invoice per client, numbered, with lines and PDFs.

Everything a run creates commits in ONE transaction, so a run succeeds or fails whole:
the group's `invoice_sequences` row is locked first (runs of one group number one after
the other, so numbers are gapless and unique even when runs race), then the claimed
services become invoices, immutable line snapshots, the services' `invoice_id`, the
version-1 PDFs and the run's `succeeded` mark. A retry is safe: the run is re-read under
the sequence lock and a finished run is left alone, and (run_id, client_id) is unique.
Rows go in with Core bulk inserts (executemany, batched into multi-row VALUES: the ORM's
bulk path cost a third more CPU), and the services are linked by one UPDATE … FROM.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared.audit.models import AuditEvent
from shared.billing.models import Service, client_part_cents
from shared.clients.models import Client
from shared.db.base import new_id
from shared.db.lease import Heartbeat, LeasedJobs, LeaseLost
from shared.groups.models import Group, InvoiceSequence
from shared.invoicing.documents import build_document, letterhead_logo
from shared.invoicing.models import InvoicePdf, InvoicingRun
from shared.invoicing.pdf import LineView, render_invoice_pdf
from shared.invoicing.pdf_fonts import FontsMissing
from shared.ledger.due import due_date_for
from shared.ledger.invoices import Invoice, InvoiceLine
from shared.logging import get_logger
from shared.outbox.service import IssuedInvoice, invoices_issued
from shared.tasks.retry import INVOICING_RUN_MAX_TAKES

log = get_logger(__name__)


class RunCannotComplete(Exception):
    """A permanent reason the run fails: retrying would not help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- The run's lease (shared/db/lease.py): which worker owns the run, until when. ---
# A dead worker's lease expires and the beat sweeper sends the run again; the next worker takes it
# over. The owner is the Celery task id: a retry of the same message takes its own lease back.

RUNS = LeasedJobs(InvoicingRun)
LEASE_SECONDS = 30
HEARTBEAT_SECONDS = 5
MAX_ATTEMPTS = INVOICING_RUN_MAX_TAKES
# A queued run nobody has started by then lost its message (broker restart, send after commit failed).
UNSTARTED_GRACE_SECONDS = 10


@dataclass(frozen=True)
class Lease:
    run_id: uuid.UUID
    owner: str
    group_id: uuid.UUID
    attempts: int


def take_lease(run_id: uuid.UUID, owner: str) -> Lease | None:
    """The lease, or None when the run is finished or another worker holds a live lease."""
    row = RUNS.take_job(run_id, owner, LEASE_SECONDS, returning=(InvoicingRun.group_id, InvoicingRun.attempts))
    return Lease(run_id, owner, row.group_id, row.attempts) if row else None


def heartbeat(lease: Lease) -> Heartbeat:
    return RUNS.heartbeat(
        RUNS.running(lease.run_id),
        lease.owner,
        seconds=LEASE_SECONDS,
        interval=HEARTBEAT_SECONDS,
        run_id=str(lease.run_id),
    )


def invoice_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:06d}"


def _lock_sequence(session: Session, group_id: uuid.UUID) -> int:
    # A group created without its sequence row still numbers from 1.
    session.execute(
        pg_insert(InvoiceSequence)
        .values(group_id=group_id, next_number=1)
        .on_conflict_do_nothing(index_elements=["group_id"])
    )
    return session.scalar(
        select(InvoiceSequence.next_number).where(InvoiceSequence.group_id == group_id).with_for_update()
    )


def _claimed_services(session: Session, run_id: uuid.UUID, group_id: uuid.UUID) -> list[Any]:
    return list(
        session.execute(
            select(
                Service.id,
                Service.client_id,
                Service.service_date,
                Service.description,
                Service.amount_cents,
                Service.insurance_paid_cents,
                Client.name.label("client_name"),
                Client.email.label("client_email"),
            )
            .join(Client, Client.id == Service.client_id)
            .where(Service.claimed_by_run_id == run_id, Service.group_id == group_id, Service.invoice_id.is_(None))
            .order_by(Client.name, Client.id, Service.service_date, Service.created_at, Service.id)
        ).all()
    )


def issue_invoices(session: Session, lease: Lease) -> int:
    """The run's one transaction. Returns how many invoices it created."""
    run_id = lease.run_id
    group = session.get(Group, lease.group_id)
    next_number = _lock_sequence(session, group.id)
    # Re-read under the lock: a worker that held the run before us may have finished it meanwhile.
    run = session.scalars(
        select(InvoicingRun).where(InvoicingRun.id == run_id).execution_options(populate_existing=True)
    ).one()
    if run.status != "running" or run.lease_owner != lease.owner:
        raise LeaseLost()
    clock = time.perf_counter()
    services = _claimed_services(session, run_id, group.id)
    if not services:
        raise RunCannotComplete("nothing_to_invoice", "None of the selected services is waiting to be invoiced.")

    now = datetime.now(UTC)
    logo = letterhead_logo(session, group)
    # Runs made before due dates existed carry none: the terms at issue then decide.
    due_date = run.due_date or due_date_for(run.invoiced_date, group.payment_terms)
    invoices: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    pdfs: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    issued: list[IssuedInvoice] = []
    for offset, (client_id, rows) in enumerate(groupby(services, key=lambda r: r.client_id)):
        rows = list(rows)
        invoice_id = new_id()
        sequence = next_number + offset
        number = invoice_number(group.invoice_prefix, sequence)
        views = []
        for position, row in enumerate(rows, start=1):
            client_part = client_part_cents(row.amount_cents, row.insurance_paid_cents)
            views.append(
                LineView(row.service_date, row.description, row.amount_cents, row.insurance_paid_cents, client_part)
            )
            lines.append(
                {
                    "id": new_id(),
                    "invoice_id": invoice_id,
                    "service_id": row.id,
                    "position": position,
                    "service_date": row.service_date,
                    "description": row.description,
                    "amount_cents": row.amount_cents,
                    "insurance_paid_cents": row.insurance_paid_cents,
                    "client_part_cents": client_part,
                }
            )
        total = sum(v.client_part_cents for v in views)
        # Nothing left for the client to pay (insurance covered it all): the invoice is settled as issued.
        status = "paid" if total == 0 else "open"
        invoices.append(
            {
                "id": invoice_id,
                "group_id": group.id,
                "client_id": client_id,
                "run_id": run_id,
                "sequence": sequence,
                "number": number,
                "invoiced_date": run.invoiced_date,
                "due_date": due_date,
                "currency": group.currency,
                "total_cents": total,
                "paid_cents": 0,
                "balance_cents": total,
                "overpaid_cents": 0,
                "status": status,
                "disputed": False,
                "ledger_version": 1,
                # Newest first in lists then means the highest number first, also within one run.
                "created_at": now + timedelta(microseconds=offset),
                "updated_at": now,
            }
        )
        try:
            rendered = render_invoice_pdf(
                build_document(
                    group,
                    rows[0].client_name,
                    logo=logo,
                    number=number,
                    invoiced_date=run.invoiced_date,
                    due_date=due_date,
                    currency=group.currency,
                    total_cents=total,
                    balance_cents=total,
                    status=status,
                    lines=views,
                    payments=[],
                )
            )
        except FontsMissing as exc:
            # A deployment without the fonts: the run fails whole, saying what to install, rather than
            # issuing a PDF with the name misprinted.
            raise RunCannotComplete(exc.code, exc.message) from None
        pdfs.append(
            {
                "id": new_id(),
                "invoice_id": invoice_id,
                "version": 1,
                "ledger_version": 1,
                "content": rendered.content,
                "sha256": rendered.sha256,
            }
        )
        issued.append(
            IssuedInvoice(
                invoice_id, number, total, run.invoiced_date, due_date, rows[0].client_name, rows[0].client_email
            )
        )
        audits.append(
            _audit(
                run,
                "invoice.issued",
                "invoice",
                invoice_id,
                {"number": number, "total_cents": total, "lines": len(rows)},
            )
        )

    built = time.perf_counter()
    session.execute(Invoice.__table__.insert(), invoices)
    session.execute(InvoiceLine.__table__.insert(), lines)
    linked = session.execute(
        update(Service)
        .where(
            Service.claimed_by_run_id == run_id,
            Service.invoice_id.is_(None),
            Invoice.run_id == run_id,
            Invoice.client_id == Service.client_id,
        )
        .values(invoice_id=Invoice.id, updated_at=func.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if linked != len(services):
        raise RunCannotComplete("services_changed", "Some selected services changed while the run was working.")
    session.execute(InvoicePdf.__table__.insert(), pdfs)
    session.execute(
        update(InvoiceSequence)
        .where(InvoiceSequence.group_id == group.id)
        .values(next_number=next_number + len(invoices))
    )
    audits.append(
        _audit(
            run,
            "invoicing_run.succeeded",
            "invoicing_run",
            run_id,
            {
                "invoices": len(invoices),
                "services": len(services),
                "numbers": [invoices[0]["number"], invoices[-1]["number"]],
            },
        )
    )
    session.execute(AuditEvent.__table__.insert(), audits)
    invoices_issued(session, group, issued)  # the clients' emails, sent once this transaction commits
    # Last, so the run row is locked only for the moment before COMMIT (the heartbeat updates it too).
    # clock_timestamp(), not now(): now() is when this transaction began, not when the run finished.
    marked = session.execute(
        update(InvoicingRun)
        .where(InvoicingRun.id == run_id, RUNS.held_by(lease.owner), InvoicingRun.status == "running")
        .values(
            status="succeeded",
            errors=[],
            finished_at=func.clock_timestamp(),
            lease_expires_at=None,
            updated_at=func.now(),
        )
    ).rowcount
    if marked != 1:
        raise LeaseLost()
    log.info(
        "invoicing_run_issued",
        invoices=len(invoices),
        services=len(services),
        build_and_render_seconds=round(built - clock, 3),
        write_seconds=round(time.perf_counter() - built, 3),
    )
    return len(invoices)


def _audit(run: InvoicingRun, action: str, entity: str, entity_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id(),
        "group_id": run.group_id,
        "actor_user_id": None,
        "actor_api_key_id": None,
        "actor_kind": "system",
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "request_id": run.request_id,
        "data": {"run_id": str(run.id), **data},
    }


def fail_run(session: Session, lease: Lease, code: str, message: str) -> int | None:
    """Mark the run failed and send its services back to the queue — only while this worker owns it.
    Returns how many services went back, or None when the run was not this worker's to fail."""
    group_id = session.scalar(
        update(InvoicingRun)
        .where(
            InvoicingRun.id == lease.run_id,
            RUNS.held_by(lease.owner),
            InvoicingRun.status.in_(("queued", "running")),
        )
        .values(
            status="failed",
            errors=[{"code": code, "message": message}],
            finished_at=func.clock_timestamp(),
            lease_expires_at=None,
            updated_at=func.now(),
        )
        .returning(InvoicingRun.group_id)
    )
    if group_id is None:
        return None
    released = session.execute(
        update(Service)
        .where(Service.claimed_by_run_id == lease.run_id, Service.invoice_id.is_(None))
        .values(claimed_by_run_id=None, updated_at=func.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.add(
        AuditEvent(
            group_id=group_id,
            actor_kind="system",
            action="invoicing_run.failed",
            entity="invoicing_run",
            entity_id=str(lease.run_id),
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
            data={"code": code, "services_released": released},
        )
    )
    return released
