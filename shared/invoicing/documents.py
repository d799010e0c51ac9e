"""Stored PDF versions of an invoice: version 1 as issued, a new version whenever the ledger moved.

Rendering is lazy: whoever asks for the current PDF gets the stored one when the
invoice's `ledger_version` has not moved since, else a freshly rendered and stored
version. That way every ledger writer (manual payments, Stripe events, refunds) keeps
the PDF right without having to remember to ask for it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.clients.models import Client
from shared.config import app_settings
from shared.errors import NotFound
from shared.groups.models import Group
from shared.invoicing.models import Invoice, InvoiceLine, InvoicePdf
from shared.invoicing.pdf import InvoiceDocument, LineView, PaymentView, RenderedPdf, render_invoice_pdf
from shared.invoicing.repository import InvoicingRepository
from shared.payments.repository import PaymentRepository

# What the PDF lists under "Payments received": money that arrived (refunds shown beside it).
SHOWN_PAYMENT_STATUSES = ("succeeded",)


def line_view(line: InvoiceLine) -> LineView:
    return LineView(line.service_date, line.description, line.amount_cents, line.insurance_paid_cents,
                    line.client_part_cents)


def build_document(group: Group, client_name: str, *, number: str, invoiced_date: date, currency: str,
                   total_cents: int, balance_cents: int, status: str, lines: list[LineView],
                   payments: list[PaymentView]) -> InvoiceDocument:
    return InvoiceDocument(
        practice_name=group.name, client_name=client_name, number=number, invoiced_date=invoiced_date,
        currency=currency, total_cents=total_cents, balance_cents=balance_cents, status=status,
        portal_url=app_settings().public_portal_url, pay_online=group.stripe_connected, lines=lines,
        payments=payments,
    )


def render_current(session: Session, invoice: Invoice) -> RenderedPdf:
    group = session.get(Group, invoice.group_id)
    client_name = session.scalar(select(Client.name).where(Client.id == invoice.client_id))
    lines = [line_view(line) for line in InvoicingRepository.from_session(session).lines_of(invoice.id)]
    payments = [PaymentView(p.received_date or p.created_at.date(), p.method, p.amount_cents, p.refunded_cents)
                for p in PaymentRepository.from_session(session).payments_of(invoice.id,
                                                                             statuses=SHOWN_PAYMENT_STATUSES)]
    return render_invoice_pdf(build_document(
        group, client_name or "", number=invoice.number, invoiced_date=invoice.invoiced_date,
        currency=invoice.currency, total_cents=invoice.total_cents, balance_cents=invoice.balance_cents,
        status=invoice.status, lines=lines, payments=payments))


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
        insert(InvoicePdf).values(invoice_id=invoice.id, version=version, ledger_version=invoice.ledger_version,
                                  content=rendered.content, sha256=rendered.sha256)
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
