"""Stored PDF versions of an invoice: version 1 as issued, a new version whenever the ledger moved.

Rendering is lazy: whoever asks for the current PDF gets the stored one when the
invoice's `ledger_version` has not moved since, else a freshly rendered and stored
version. That way every ledger writer (manual payments, Stripe events, refunds) keeps
the PDF right without having to remember to ask for it.

A stored version is a record: it is never rendered again. The letterhead (name, logo,
address, phone, tax id, NPI) is read from the practice's settings when a version is
rendered, so changing the settings changes only versions rendered after the change —
the invoice as issued (version 1) keeps the letterhead it was sent with.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.clients.models import Client
from shared.config import app_settings
from shared.errors import Conflict, NotFound
from shared.groups.models import Group
from shared.groups.repository import GroupRepository
from shared.invoicing.models import InvoicePdf
from shared.invoicing.pdf import InvoiceDocument, LineView, PaymentView, RenderedPdf, render_invoice_pdf
from shared.invoicing.pdf_canvas import PdfImage
from shared.invoicing.pdf_images import logo_image
from shared.invoicing.receipt_pdf import ReceiptFacts, render_receipt_pdf
from shared.invoicing.repository import InvoicingRepository
from shared.ledger.invoices import Invoice, InvoiceLine
from shared.ledger.payments import Payment
from shared.payments.repository import PaymentRepository

# What the PDF lists under "Payments received": money that arrived (refunds shown beside it).
SHOWN_PAYMENT_STATUSES = ("succeeded",)


def line_view(line: InvoiceLine) -> LineView:
    return LineView(
        line.service_date, line.description, line.amount_cents, line.insurance_paid_cents, line.client_part_cents
    )


def letterhead_logo(session: Session, group: Group) -> PdfImage | None:
    """The practice's logo ready to embed (prepared once per process per logo), or None."""
    logo = GroupRepository.from_session(session).logo(group.id)
    return logo_image(logo.content, logo.media_type, logo.sha256) if logo is not None else None


def build_document(
    group: Group,
    client_name: str,
    *,
    logo: PdfImage | None,
    number: str,
    invoiced_date: date,
    due_date: date,
    currency: str,
    total_cents: int,
    balance_cents: int,
    status: str,
    lines: list[LineView],
    payments: list[PaymentView],
) -> InvoiceDocument:
    return InvoiceDocument(
        practice_name=group.name,
        client_name=client_name,
        number=number,
        invoiced_date=invoiced_date,
        due_date=due_date,
        currency=currency,
        total_cents=total_cents,
        balance_cents=balance_cents,
        status=status,
        portal_url=app_settings().public_portal_url,
        pay_online=group.stripe_connected,
        lines=lines,
        payments=payments,
        practice_address=tuple(group.address_lines or ()),
        practice_phone=group.phone,
        practice_tax_id=group.tax_id,
        practice_npi=group.npi,
        logo=logo,
    )


_METHOD_WORDS = {"card": "Card", "insurance": "Insurance", "cash": "Cash", "check": "Check", "external": "Other"}
_STRIPE_METHOD_WORDS = {"us_bank_account": "Bank account (ACH)", "link": "Card (Link)"}


def receipt_filename(invoice_number: str) -> str:
    return f"receipt-{invoice_number}.pdf"


def render_receipt(session: Session, invoice: Invoice, payment: Payment, *, with_reference: bool = True) -> RenderedPdf:
    """The receipt of one received payment (refunds of it included), rendered as it stands now. Not stored:
    it is drawn from the ledger's rows, which keep their history (a payment is never edited in place).
    `with_reference=False` leaves out the reference staff typed (the copy emailed to the client: that
    free text is the practice's own, and is never put in an email)."""
    if payment.status != "succeeded":
        raise Conflict(
            "Only a payment that was received has a receipt.", code="payment_not_succeeded", param="payment_id"
        )
    repo = PaymentRepository.from_session(session)
    position = next((i for i, p in enumerate(repo.payments_of(invoice), start=1) if p.id == payment.id), 1)
    refunds = [
        (r.created_at.date(), r.amount_cents)
        for r in repo.refunds_by_payment([payment]).get(payment.id, [])
        if r.status == "succeeded"
    ]
    method = _STRIPE_METHOD_WORDS.get(payment.stripe_payment_method_type or "") or _METHOD_WORDS.get(
        payment.method, "Other"
    )
    doc = document_of(session, invoice, lines=[], payments=[])
    receipt = ReceiptFacts(
        receipt_number=f"{invoice.number}-{position}",
        received_date=payment.received_date or payment.created_at.date(),
        method=method,
        amount_cents=payment.amount_cents,
        reference=payment.reference if with_reference else None,
        refunds=refunds,
    )
    return render_receipt_pdf(doc, receipt)


def document_of(
    session: Session, invoice: Invoice, *, lines: list[LineView], payments: list[PaymentView]
) -> InvoiceDocument:
    """The invoice as a document to draw: the practice's letterhead, the client's name, its figures as they stand."""
    group = session.get_one(Group, invoice.group_id)
    client_name = session.scalar(select(Client.name).where(Client.id == invoice.client_id))
    return build_document(
        group,
        client_name or "",
        logo=letterhead_logo(session, group),
        number=invoice.number,
        invoiced_date=invoice.invoiced_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        total_cents=invoice.total_cents,
        balance_cents=invoice.balance_cents,
        status=invoice.status,
        lines=lines,
        payments=payments,
    )


def render_current(session: Session, invoice: Invoice) -> RenderedPdf:
    lines = [line_view(line) for line in InvoicingRepository.from_session(session).lines_of(invoice.id)]
    payments = [
        PaymentView(p.received_date or p.created_at.date(), p.method, p.amount_cents, p.refunded_cents)
        for p in PaymentRepository.from_session(session).payments_of(invoice, statuses=SHOWN_PAYMENT_STATUSES)
    ]
    return render_invoice_pdf(document_of(session, invoice, lines=lines, payments=payments))


def current_pdf(session: Session, invoice: Invoice) -> InvoicePdf:
    """The PDF of the invoice as it stands, rendering and storing a new version only if the ledger moved."""
    repo = InvoicingRepository.from_session(session)
    latest = repo.latest_pdf(invoice.id)
    if latest is not None and latest.ledger_version == invoice.ledger_version:
        return latest
    version = latest.version + 1 if latest is not None else 1
    rendered = render_current(session, invoice)
    # Two readers racing to store the same version: the second waits for the first and keeps its row.
    session.execute(
        insert(InvoicePdf)
        .values(
            invoice_id=invoice.id,
            version=version,
            ledger_version=invoice.ledger_version,
            content=rendered.content,
            sha256=rendered.sha256,
        )
        .on_conflict_do_nothing(index_elements=["invoice_id", "version"])
    )
    return repo.pdf_version(invoice.id, version)


def pdf_of_version(session: Session, invoice: Invoice, version: int | None) -> InvoicePdf:
    """A stored version (1 is the invoice as issued); without a version, the invoice as it stands."""
    if version is None:
        return current_pdf(session, invoice)
    pdf = InvoicingRepository.from_session(session).pdf_version(invoice.id, version)
    if pdf is None:
        raise NotFound("No such version of this invoice's PDF.", code="resource_missing", param="version")
    return pdf
