"""The client's Billing page: the red number, the list of invoices, one invoice and its PDF."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.billing.repository import group_currency
from shared.db.pagination import Page, columns_for, paginate_rows
from shared.errors import Forbidden
from shared.invoicing import service as invoicing
from shared.invoicing.repository import InvoicingRepository
from shared.invoicing.schemas import InvoiceLineOut
from shared.ledger.due import is_overdue, overdue_column, practice_today_of
from shared.ledger.invoices import Invoice
from shared.payments.repository import PaymentRepository
from shared.portal.repository import PortalRepository
from shared.portal.schemas import PortalInvoiceDetailOut, PortalInvoiceOut, PortalPaymentOut, PortalSummaryOut

# What a client sees of the payments on an invoice: money that moved or is moving, and manual
# entries the practice took back, and a charge Stripe made for another amount than the payment
# (mismatched: the practice reviews it). Abandoned card attempts (pending, canceled) are not shown.
CLIENT_VISIBLE_PAYMENT_STATUSES = ("processing", "requires_action", "succeeded", "failed", "reversed", "mismatched")

# The list reads plain rows of the columns it shows (shared.db.pagination.paginate_rows).
_INVOICE_COLUMNS = columns_for(Invoice, PortalInvoiceOut)


def _own_client(actor: Actor) -> uuid.UUID:
    # A client login always names its client record; without one there is nothing of theirs to show.
    if actor.client_id is None:
        raise Forbidden("This sign-in is not linked to a client.", code="no_client_record")
    return actor.client_id


def summary(session: Session, actor: Actor) -> PortalSummaryOut:
    count, balance = PortalRepository.from_session(session).unpaid_totals(actor, _own_client(actor))
    currency = group_currency(session, actor)
    return PortalSummaryOut(unpaid_invoice_count=count, balance_due_cents=balance, currency=currency)


def list_invoices(session: Session, actor: Actor, *, limit: int, starting_after: str | None) -> Page:
    """A page of rows in the shape of PortalInvoiceOut."""
    overdue = overdue_column(Invoice.status, Invoice.due_date, practice_today_of(session, actor.practice_id))
    stmt = PortalRepository.from_session(session).visible_invoices(
        actor, _own_client(actor), [*_INVOICE_COLUMNS, overdue]
    )
    return paginate_rows(session, stmt, Invoice, limit=limit, starting_after=starting_after)


def get_invoice(session: Session, actor: Actor, invoice_id: str) -> Invoice:
    """The client's own invoice; anyone else's is unknown (404). A void one stays readable by its link."""
    return invoicing.get_invoice(session, actor, invoice_id, client_id=_own_client(actor))


def invoice_detail(session: Session, invoice: Invoice) -> PortalInvoiceDetailOut:
    lines = InvoicingRepository.from_session(session).lines_of(invoice.id)
    payments = PaymentRepository.from_session(session).payments_of(invoice, statuses=CLIENT_VISIBLE_PAYMENT_STATUSES)
    overdue = is_overdue(invoice.status, invoice.due_date, practice_today_of(session, invoice.group_id))
    return PortalInvoiceDetailOut(
        **PortalInvoiceOut.model_validate(invoice).model_dump(exclude={"overdue"}),
        overdue=overdue,
        lines=[InvoiceLineOut.model_validate(line) for line in lines],
        payments=[PortalPaymentOut.model_validate(p) for p in payments],
    )
