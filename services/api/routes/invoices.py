"""The Invoiced tab: invoices, their PDFs, and payments received outside the portal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.api.deps import CurrentStaff, SessionDep
from services.api.lists import DEFAULT_LIMIT, Limit, ListOut, StartingAfter, list_response
from services.api.pdf_responses import PDF_RESPONSES, pdf_response
from shared.invoicing import service
from shared.invoicing.documents import pdf_of_version
from shared.invoicing.schemas import InvoiceDetailOut, InvoiceOut, InvoiceStatus, PdfVersionOut
from shared.payments import service as payments
from shared.payments.schemas import ManualPaymentCreate, MarkPaidOut, MarkPaidRequest, PaymentOut

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])


@router.get("", response_model=ListOut[InvoiceOut])
def list_invoices(actor: CurrentStaff, session: SessionDep, status: InvoiceStatus | None = None,
                  client_id: str | None = None, limit: Limit = DEFAULT_LIMIT,
                  starting_after: StartingAfter = None) -> Response:
    page = service.list_invoices(session, actor, status=status, client_id=client_id, limit=limit,
                                 starting_after=starting_after)
    return list_response(InvoiceOut, page)


@router.post("/mark-paid", response_model=MarkPaidOut)
def mark_paid(body: MarkPaidRequest, actor: CurrentStaff, session: SessionDep) -> MarkPaidOut:
    """Record a payment of each invoice's remaining balance; any paid, void or unknown invoice refuses all."""
    return MarkPaidOut(data=payments.payment_views(session, payments.mark_paid(session, actor, body)))


@router.get("/{invoice_id}", response_model=InvoiceDetailOut)
def get_invoice(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> InvoiceDetailOut:
    return service.invoice_detail(session, service.get_invoice(session, actor, invoice_id))


@router.get("/{invoice_id}/pdf", response_class=Response, responses=PDF_RESPONSES)
def get_invoice_pdf(invoice_id: str, actor: CurrentStaff, session: SessionDep, request: Request,
                    version: Annotated[int | None, Query(ge=1)] = None) -> Response:
    invoice = service.get_invoice(session, actor, invoice_id)
    return pdf_response(request, invoice.number, pdf_of_version(session, invoice, version))


@router.get("/{invoice_id}/pdfs", response_model=ListOut[PdfVersionOut])
def list_invoice_pdfs(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> ListOut[PdfVersionOut]:
    """Every stored version, oldest first, with its SHA-256."""
    versions = service.pdf_versions(session, service.get_invoice(session, actor, invoice_id))
    return ListOut[PdfVersionOut](data=versions, has_more=False)


@router.post("/{invoice_id}/payments", status_code=201, response_model=PaymentOut)
def record_payment(invoice_id: str, body: ManualPaymentCreate, actor: CurrentStaff,
                   session: SessionDep) -> PaymentOut:
    """One payment received outside the portal, up to the balance."""
    payment = payments.record_manual_payment(session, actor, invoice_id, body)
    return payments.payment_views(session, [payment])[0]


@router.post("/{invoice_id}/void", response_model=InvoiceOut)
def void_invoice(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> InvoiceOut:
    """Only an invoice with nothing paid on it; its services go back to the queue, its number stays used."""
    return service.invoice_views(session, [service.void_invoice(session, actor, invoice_id)])[0]
