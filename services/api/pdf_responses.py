"""Serving PDFs: a stored invoice version (inline, named by the invoice number, its SHA-256 as the
ETag) and a payment's receipt (drawn as it stands)."""

from __future__ import annotations

from fastapi import Request, Response

from shared.invoicing.documents import receipt_filename
from shared.invoicing.models import InvoicePdf
from shared.invoicing.pdf import RenderedPdf
from shared.ledger.invoices import Invoice

PDF_RESPONSES = {200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF."}}
RECEIPT_RESPONSES = {
    200: {"content": {"application/pdf": {}}, "description": "The receipt as a PDF."},
    409: {"description": "`payment_not_succeeded`: the payment was not received (pending, failed or reversed)."},
}


def pdf_response(request: Request, invoice_number: str, pdf: InvoicePdf) -> Response:
    etag = f'"{pdf.sha256}"'
    headers = {
        "ETag": etag,
        "Content-Disposition": f'inline; filename="{invoice_number}.pdf"',
        "X-Invoice-Pdf-Version": str(pdf.version),
        # Client data: never kept by a browser or proxy (shared computers at the front desk).
        "Cache-Control": "no-store",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(content=pdf.content, media_type="application/pdf", headers=headers)


def receipt_response(invoice: Invoice, pdf: RenderedPdf) -> Response:
    headers = {
        "Content-Disposition": f'inline; filename="{receipt_filename(invoice.number)}"',
        "Cache-Control": "no-store",
    }
    return Response(content=pdf.content, media_type="application/pdf", headers=headers)
