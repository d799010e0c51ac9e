"""The Invoices page: the queue, starting a run (validate, then claim atomically), invoices, voiding.

The run itself — numbering, lines, PDFs — happens in the worker (shared/jobs/invoicing_runs.py, shared/invoicing/issuing.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.alerts.service import open_alerts_of_invoice
from shared.audit.service import record
from shared.billing.models import Service, client_part_cents
from shared.clients.repository import ClientRepository
from shared.db.arrays import parse_ids
from shared.db.ids import parse_id
from shared.db.pagination import Page, check_limit, columns_for, paginate_rows, parse_cursor
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.groups.repository import GroupRepository
from shared.invoicing.models import InvoicingRun
from shared.invoicing.repository import InvoicingRepository
from shared.invoicing.schemas import (
    MAX_INVOICE_CENTS,
    InvoiceDetailOut,
    InvoiceLineOut,
    InvoiceOut,
    PdfVersionOut,
    QueueItemOut,
    RunCreate,
    RunOut,
)
from shared.ledger.balances import lock_invoice, recompute_invoice
from shared.ledger.due import MAX_DAYS_TO_PAY, due_date_for, is_overdue, overdue_column, practice_today_of
from shared.ledger.invoices import Invoice
from shared.payments.repository import PaymentRepository
from shared.payments.schemas import DisputeOut
from shared.payments.service import close_unconfirmed_card_payments, payment_views
from shared.tasks import names
from shared.tasks.enqueue import enqueue_after_commit


def _client_filter(session: Session, actor: Actor, client_id: str | None) -> uuid.UUID | None:
    """A `client_id` filter names a client of the caller's group, else 404 (like an id in a body)."""
    if not client_id:
        return None
    return ClientRepository.from_session(session).get_or_404(actor, client_id, param="client_id").id


# The lists read plain rows of the columns they show (shared.db.pagination.paginate_rows).
_QUEUE_COLUMNS = columns_for(Service, QueueItemOut)
_INVOICE_COLUMNS = columns_for(Invoice, InvoiceOut)


# --- the queue ---


def list_queue(
    session: Session,
    actor: Actor,
    *,
    client_id: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    starting_after: str | None,
) -> Page:
    """A page of rows in the shape of QueueItemOut."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("'from' must not be after 'to'.", code="invalid_date_range", param="from")
    client_uuid = _client_filter(session, actor, client_id)
    page = InvoicingRepository.from_session(session).queue_page(
        actor,
        _QUEUE_COLUMNS,
        client_id=client_uuid,
        date_from=date_from,
        date_to=date_to,
        limit=check_limit(limit),
        starting_after=parse_cursor(starting_after),
    )
    items = [
        {**row, "client_part_cents": client_part_cents(row["amount_cents"], row["insurance_paid_cents"])}
        for row in page.data
    ]
    return Page(data=items, has_more=page.has_more)


# --- runs ---


def create_run(session: Session, actor: Actor, data: RunCreate) -> InvoicingRun:
    """Refuse the whole selection if any service cannot be invoiced, else claim them all in one statement.

    The checks give the clerk a precise answer; the claim is what makes two racing
    runs safe: it takes only services still free, and anything short of the whole
    selection rolls back and answers 409.
    """
    ids, bad = parse_ids(data.service_ids)
    if not ids and not bad:
        raise ValidationFailed("Select at least one service to invoice.", code="empty_selection", param="service_ids")
    repo = InvoicingRepository.from_session(session)
    selected = {s.id: s for s in repo.selected_services(actor, ids)} if ids else {}
    not_invoiceable = [str(s.id) for s in selected.values() if not s.invoiceable]
    if not_invoiceable:
        raise ValidationFailed.naming(
            "These services are not on an invoiced billing rate",
            not_invoiceable,
            code="service_not_invoiceable",
            param="service_ids",
        )
    unknown = bad + [str(i) for i in ids if i not in selected]
    if unknown:
        raise NotFound.naming("No such service", unknown, code="resource_missing", param="service_ids")
    taken = [str(s.id) for s in selected.values() if s.invoice_id is not None or s.claimed_by_run_id is not None]
    if taken:
        raise _already_invoiced(taken)
    too_large = [str(c) for c, total in repo.client_totals(actor, ids).items() if total > MAX_INVOICE_CENTS]
    if too_large:
        # Refused now, with a reason: in the run it would fail on every attempt (the amount columns
        # are 32-bit), and claimed services cannot change, so the totals checked here are the run's.
        raise ValidationFailed(
            f"An invoice may total at most {MAX_INVOICE_CENTS:,} in minor units; the selection for "
            f"{len(too_large)} client(s) is more. Invoice their services in smaller selections.",
            code="invoice_total_too_large",
            param="service_ids",
            details={"client_ids": too_large},
        )

    run = InvoicingRun(
        group_id=actor.group_id,
        status="queued",
        invoiced_date=data.invoiced_date,
        due_date=_due_date_of_run(session, actor, data),
        service_ids=ids,
        errors=[],
        requested_by_user_id=actor.user_id,
        attempts=0,
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
    )
    session.add(run)
    session.flush()
    claimed = repo.claim_services(actor, run.id, ids)
    if claimed != len(ids):
        # Another run took some of them between our check and our claim; the boundary rolls ours back.
        raced = [str(i) for i in repo.taken_services(actor, ids, other_than_run=run.id)]
        raise _already_invoiced(raced)
    record(
        session,
        actor,
        "invoicing_run.created",
        "invoicing_run",
        run.id,
        data={
            "service_count": len(ids),
            "invoiced_date": data.invoiced_date.isoformat(),
            "due_date": run.due_date.isoformat() if run.due_date else None,
        },
    )
    enqueue_after_commit(names.RUN_INVOICING, str(run.id))
    return run


def _due_date_of_run(session: Session, actor: Actor, data: RunCreate) -> date:
    """The biller's date, else the practice's terms as they are now (the run keeps it, whatever changes later)."""
    if data.due_date is None:
        terms = GroupRepository.from_session(session).get(actor).payment_terms
        return due_date_for(data.invoiced_date, terms)
    days = (data.due_date - data.invoiced_date).days
    if days < 0:
        raise ValidationFailed(
            "The due date is before the invoiced date.", code="due_date_before_invoiced_date", param="due_date"
        )
    if days > MAX_DAYS_TO_PAY:
        raise ValidationFailed(
            f"The due date is more than {MAX_DAYS_TO_PAY} days after the invoiced date.",
            code="due_date_too_late",
            param="due_date",
        )
    return data.due_date


def _already_invoiced(service_ids: list[str]) -> Conflict:
    return Conflict.naming(
        "These services are already invoiced or in another run",
        service_ids,
        code="service_already_invoiced",
        param="service_ids",
    )


def run_view(session: Session, run: InvoicingRun) -> RunOut:
    repo = InvoicingRepository.from_session(session)
    return RunOut(
        id=run.id,
        status=run.status,
        invoiced_date=run.invoiced_date,
        due_date=run.due_date,
        errors=run.errors or [],
        invoice_ids=repo.invoice_ids_of_run(run) if run.status == "succeeded" else [],
        service_count=len(run.service_ids or []),
        attempts=run.attempts,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def get_run(session: Session, actor: Actor, run_id: str) -> InvoicingRun:
    run = InvoicingRepository.from_session(session).get_run(actor, parse_id(run_id, "invoicing run"))
    if run is None:
        raise NotFound("No such invoicing run.", code="resource_missing", param="run_id")
    return run


# --- invoices ---


def invoice_views(session: Session, invoices: list[Invoice]) -> list[InvoiceOut]:
    if not invoices:
        return []
    names_by_id = InvoicingRepository.from_session(session).client_names(
        invoices[0].group_id, (i.client_id for i in invoices)
    )
    today = practice_today_of(session, invoices[0].group_id)
    return [_invoice_out(i, names_by_id.get(i.client_id, ""), today) for i in invoices]


def _invoice_out(invoice: Invoice, client_name: str, today: date) -> InvoiceOut:
    fields = {k: getattr(invoice, k) for k in InvoiceOut.model_fields if k not in ("client_name", "overdue")}
    return InvoiceOut.model_validate(
        {**fields, "client_name": client_name, "overdue": is_overdue(invoice.status, invoice.due_date, today)}
    )


def list_invoices(
    session: Session,
    actor: Actor,
    *,
    status: str | None,
    client_id: str | None,
    overdue: bool | None = None,
    limit: int,
    starting_after: str | None,
) -> Page:
    """A page of rows in the shape of InvoiceOut; `overdue` true or false keeps only those that are or are not."""
    client_uuid = _client_filter(session, actor, client_id)
    is_overdue_now = overdue_column(Invoice.status, Invoice.due_date, practice_today_of(session, actor.practice_id))
    stmt = InvoicingRepository.from_session(session).invoices_query(
        actor, [*_INVOICE_COLUMNS, is_overdue_now], status=status, client_id=client_uuid
    )
    if overdue is not None:
        stmt = stmt.where(is_overdue_now if overdue else ~is_overdue_now)
    return paginate_rows(session, stmt, Invoice, limit=limit, starting_after=starting_after)


def get_invoice(session: Session, actor: Actor, invoice_id: str, *, client_id: uuid.UUID | None = None) -> Invoice:
    invoice = InvoicingRepository.from_session(session).get_invoice(
        actor, parse_id(invoice_id, "invoice", "invoice_id"), client_id=client_id
    )
    if invoice is None:
        raise NotFound("No such invoice.", code="resource_missing", param="invoice_id")
    return invoice


def invoice_detail(
    session: Session, invoice: Invoice, *, payment_statuses: tuple[str, ...] | None = None, with_disputes: bool = True
) -> InvoiceDetailOut:
    repo = InvoicingRepository.from_session(session)
    payments_repo = PaymentRepository.from_session(session)
    summary = invoice_views(session, [invoice])[0]
    return InvoiceDetailOut(
        **summary.model_dump(),
        lines=[InvoiceLineOut.model_validate(line) for line in repo.lines_of(invoice.id)],
        payments=payment_views(session, payments_repo.payments_of(invoice, statuses=payment_statuses)),
        disputes=[DisputeOut.model_validate(d) for d in payments_repo.disputes_of(invoice)] if with_disputes else [],
        alerts=open_alerts_of_invoice(session, invoice.group_id, invoice.id),
    )


def pdf_versions(session: Session, invoice: Invoice) -> list[PdfVersionOut]:
    rows = InvoicingRepository.from_session(session).pdf_versions(invoice.id)
    return [
        PdfVersionOut(
            version=r.version,
            ledger_version=r.ledger_version,
            sha256=r.sha256,
            size_bytes=r.size,
            created_at=r.created_at,
        )
        for r in rows
    ]


def void_invoice(session: Session, actor: Actor, invoice_id: str) -> Invoice:
    """Void an invoice nobody has paid: its services go back to the queue; its lines and number stay."""
    invoice = lock_invoice(session, parse_id(invoice_id, "invoice", "invoice_id"), actor.practice_id)
    if invoice.status == "void":
        raise Conflict(f"Invoice {invoice.number} is already void.", code="invoice_void", param="invoice_id")
    if invoice.paid_cents > 0:
        raise Conflict(
            f"Invoice {invoice.number} has payments. Reverse or refund them before voiding it.",
            code="invoice_has_payments",
            param="invoice_id",
        )
    if invoice.disputed:
        raise Conflict(f"Invoice {invoice.number} has an open dispute.", code="invoice_disputed", param="invoice_id")
    # Card payments on their way (shared.payments.card.in_flight): voiding under them would strand money.
    in_flight = PaymentRepository.from_session(session).card_payments_in_flight([invoice])
    if in_flight:
        raise Conflict(
            f"A card payment on invoice {invoice.number} is being processed. Try again once it settles.",
            code="payment_in_flight",
            param="invoice_id",
            details={"payment_ids": [str(p.id) for p in in_flight]},
        )
    invoice.voided_at = datetime.now(UTC)
    released = InvoicingRepository.from_session(session).release_services_of_invoice(invoice)
    recompute_invoice(session, invoice)
    close_unconfirmed_card_payments(session, actor, invoice, "void")
    record(
        session,
        actor,
        "invoice.voided",
        "invoice",
        invoice.id,
        data={"number": invoice.number, "services_released": released},
    )
    return invoice
