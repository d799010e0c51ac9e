"""Serving a stored invoice PDF: inline, named by the invoice number, its SHA-256 as the ETag."""

from __future__ import annotations

from fastapi import Request, Response

from shared.invoicing.models import InvoicePdf

PDF_RESPONSES = {200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF."}}


def pdf_response(request: Request, invoice_number: str, pdf: InvoicePdf) -> Response:
    etag = f'"{pdf.sha256}"'
    headers = {"ETag": etag, "Content-Disposition": f'inline; filename="{invoice_number}.pdf"',
               "X-Invoice-Pdf-Version": str(pdf.version), "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(content=pdf.content, media_type="application/pdf", headers=headers)
