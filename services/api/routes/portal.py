"""The client portal's reads: the unpaid count and balance, the client's own invoices and their PDFs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.api.deps import CurrentClient, SessionDep
from services.api.lists import ListOut, PageQuery, list_response
from services.api.pdf_responses import PDF_RESPONSES, pdf_response
from shared.invoicing.documents import current_pdf
from shared.portal import service
from shared.portal.schemas import PortalInvoiceDetailOut, PortalInvoiceOut, PortalSummaryOut

router = APIRouter(prefix="/v1/portal", tags=["portal"])


@router.get("/summary", response_model=PortalSummaryOut)
def summary(actor: CurrentClient, session: SessionDep) -> PortalSummaryOut:
    """The red number on "Billing": how many invoices are unpaid, and what is owed in all."""
    return service.summary(session, actor)


@router.get("/invoices", response_model=ListOut[PortalInvoiceOut])
def list_invoices(actor: CurrentClient, session: SessionDep, asked: PageQuery) -> Response:
    page = service.list_invoices(session, actor, **asked.kwargs())
    return list_response(PortalInvoiceOut, page)


@router.get("/invoices/{invoice_id}", response_model=PortalInvoiceDetailOut)
def get_invoice(invoice_id: str, actor: CurrentClient, session: SessionDep) -> PortalInvoiceDetailOut:
    return service.invoice_detail(session, service.get_invoice(session, actor, invoice_id))


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=PDF_RESPONSES)
def get_invoice_pdf(invoice_id: str, actor: CurrentClient, session: SessionDep, request: Request) -> Response:
    invoice = service.get_invoice(session, actor, invoice_id)
    return pdf_response(request, invoice.number, current_pdf(session, invoice))
