"""The Invoiced tab: invoices, their PDFs, and payments received outside the portal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from services.api.deps import CurrentStaff, SessionDep, commit_now
from services.api.idempotent import IdempotencyKey, once
from services.api.lists import ListOut, PageQuery, list_response
from services.api.openapi import STRIPE_ERROR
from services.api.pdf_responses import PDF_RESPONSES, pdf_response
from shared.actor import Actor
from shared.invoicing import service
from shared.invoicing.documents import pdf_of_version
from shared.invoicing.schemas import InvoiceDetailOut, InvoiceOut, InvoiceStatus, PdfVersionOut
from shared.ledger.payments import Payment
from shared.payments import service as payments
from shared.payments.schemas import ManualPaymentCreate, ManualPaymentOut, MarkPaidOut, MarkPaidRequest
from shared.reports.timeline import TimelineEntry, invoice_timeline
from shared.text import text

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])


@router.get("", response_model=ListOut[InvoiceOut])
def list_invoices(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    status: InvoiceStatus | None = None,
    client_id: text(max_length=64) | None = None,
    overdue: bool | None = None,
) -> Response:
    page = service.list_invoices(
        session,
        actor,
        status=status,
        client_id=client_id,
        overdue=overdue,
        **asked.kwargs(),
    )
    return list_response(InvoiceOut, page)


def _cancel_first(
    session: Session, actor: Actor, invoice_ids: list[str], param: str, amount_cents: int | None = None
) -> list[Payment]:
    """Cancel the card payments in the way at Stripe and commit what Stripe answered before the manual
    payment is recorded: a charge that went through meanwhile stays recorded when we refuse."""
    attempt = payments.cancel_card_payments_in_flight(
        session, actor, invoice_ids, param=param, amount_cents=amount_cents
    )
    commit_now(session)
    attempt.raise_if_refused()
    return attempt.attempted


@router.post("/mark-paid", response_model=MarkPaidOut, responses=STRIPE_ERROR)
def mark_paid(body: MarkPaidRequest, actor: CurrentStaff, session: SessionDep) -> MarkPaidOut:
    """Record a payment of each invoice's remaining balance. Any paid, void or unknown invoice, or one with
    a card payment in flight (unless `cancel_pending_card_payment` cancels it first), refuses all."""
    canceled = (
        _cancel_first(session, actor, body.invoice_ids, "invoice_ids") if body.cancel_pending_card_payment else []
    )
    result = payments.mark_paid(session, actor, body)
    return MarkPaidOut(
        data=payments.payment_views(session, result.payments),
        canceled_card_payments=payments.payment_views(session, canceled + result.closed_card_payments),
    )


@router.get("/{invoice_id}", response_model=InvoiceDetailOut)
def get_invoice(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> InvoiceDetailOut:
    return service.invoice_detail(session, service.get_invoice(session, actor, invoice_id))


@router.get("/{invoice_id}/pdf", response_class=Response, responses=PDF_RESPONSES)
def get_invoice_pdf(
    invoice_id: str,
    actor: CurrentStaff,
    session: SessionDep,
    request: Request,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,  # a 32-bit column: larger is a 422
) -> Response:
    invoice = service.get_invoice(session, actor, invoice_id)
    return pdf_response(request, invoice.number, pdf_of_version(session, invoice, version))


@router.get("/{invoice_id}/pdfs", response_model=ListOut[PdfVersionOut])
def list_invoice_pdfs(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> ListOut[PdfVersionOut]:
    """Every stored version, oldest first, with its SHA-256."""
    versions = service.pdf_versions(session, service.get_invoice(session, actor, invoice_id))
    return ListOut[PdfVersionOut](data=versions, has_more=False)


@router.get("/{invoice_id}/timeline", response_model=ListOut[TimelineEntry])
def get_invoice_timeline(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> ListOut[TimelineEntry]:
    """What happened to the invoice, oldest first: issued, emailed, payments recorded, reversed and
    refunded, Stripe's news, disputes — each with who did it. Read from the audit trail and the email
    outbox, so it always agrees with them; `has_more` when an invoice has more than 500 entries."""
    entries, has_more = invoice_timeline(session, service.get_invoice(session, actor, invoice_id))
    return ListOut[TimelineEntry](data=entries, has_more=has_more)


@router.post("/{invoice_id}/payments", status_code=201, response_model=ManualPaymentOut, responses=STRIPE_ERROR)
def record_payment(
    invoice_id: str,
    body: ManualPaymentCreate,
    actor: CurrentStaff,
    session: SessionDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ManualPaymentOut:
    """One payment received outside the portal, up to the balance; refused beside a card payment in flight
    unless `cancel_pending_card_payment` cancels it first. Send an `Idempotency-Key` to retry safely: a part
    payment is not refused the second time as a whole one is."""

    # Before the key is looked at: the cancellation is committed on its own (a retry finds nothing left
    # to cancel), and the stored answer of the first try is what a retry gets.
    canceled = (
        _cancel_first(session, actor, [invoice_id], "invoice_id", body.amount_cents)
        if body.cancel_pending_card_payment
        else []
    )

    def write() -> ManualPaymentOut:
        result = payments.record_manual_payment(session, actor, invoice_id, body)
        [view] = payments.payment_views(session, result.payments)
        return ManualPaymentOut(
            **view.model_dump(),
            canceled_card_payments=payments.payment_views(session, canceled + result.closed_card_payments),
        )

    return once(session, actor, response, idempotency_key, f"invoices.payment:{invoice_id}", body, 201, write)


@router.post("/{invoice_id}/void", response_model=InvoiceOut)
def void_invoice(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> InvoiceOut:
    """Only an invoice with nothing paid on it; its services go back to the queue, its number stays used."""
    return service.invoice_views(session, [service.void_invoice(session, actor, invoice_id)])[0]
