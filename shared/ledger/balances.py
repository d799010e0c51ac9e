"""The ledger rule, in one place: an invoice's paid amount, balance and status follow from its rows.

    paid     = succeeded payments − refunds − dispute funds withdrawn + funds reinstated
    balance  = max(total − paid, 0)
    pending  = payments still `processing` (an ACH debit settles in days; it may yet fail)
    overpaid = max(paid − total, 0)   (money to hand back, e.g. a card payment racing a mark-paid)

Every change to a payment, refund or dispute locks the invoice (`lock_invoice`) and
calls `recompute_invoice` in the same transaction, so lists read stored columns and
never recompute, and two writers on one invoice serialize instead of both winning.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, Uuid, bindparam, func, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.ledger.dispute_statuses import OPEN_DISPUTE_STATUSES
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from shared.ledger.stripe_repository import preloaded

# Stripe's dispute states that still need the practice's attention (OPEN_DISPUTE_STATUSES, from the
# pinned SDK's declaration) flag the invoice. A closed dispute (won, lost, warning_closed, prevented)
# stays in the history but no longer flags it: its money effect is already in the ledger through
# funds withdrawn / reinstated.


@dataclass(frozen=True)
class LedgerTotals:
    succeeded_cents: int
    refunded_cents: int
    withdrawn_cents: int
    reinstated_cents: int
    open_disputes: int
    processing_cents: int = 0  # payments on their way (e.g. an ACH debit for days): pending, not paid

    @property
    def paid_cents(self) -> int:
        return self.succeeded_cents - self.refunded_cents - self.withdrawn_cents + self.reinstated_cents


def lock_invoice(session: Session, invoice_id: uuid.UUID, group_id: uuid.UUID) -> Invoice:
    """The invoice, locked FOR UPDATE for the rest of the transaction; 404 outside the group."""
    known = preloaded(session)
    invoice = known.locked_invoices.get(invoice_id) if known is not None else None
    if invoice is not None and invoice.group_id == group_id:
        return invoice  # locked earlier in this transaction, and kept current by it
    invoice = session.scalar(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.group_id == group_id).with_for_update()
    )
    if invoice is None:
        raise NotFound("No such invoice.", code="resource_missing", param="invoice_id")
    return invoice


def _totals_statement() -> Select[int, int, int, int, int, int]:
    """The totals of one invoice's ledger rows, within its practice (`group_id`, as every read is)."""
    invoice_id = bindparam("invoice_id", type_=Uuid)
    group_id = bindparam("group_id", type_=Uuid)
    succeeded = (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.group_id == group_id, Payment.invoice_id == invoice_id, Payment.status == "succeeded")
        .scalar_subquery()
    )
    refunded = (
        select(func.coalesce(func.sum(Refund.amount_cents), 0))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(
            Payment.group_id == group_id,
            Payment.invoice_id == invoice_id,
            Refund.status == "succeeded",
            Payment.status == "succeeded",
        )
        .scalar_subquery()
    )
    processing = (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.group_id == group_id, Payment.invoice_id == invoice_id, Payment.status == "processing")
        .scalar_subquery()
    )
    disputes = (
        select(
            func.coalesce(func.sum(Dispute.funds_withdrawn_cents), 0).label("withdrawn"),
            func.coalesce(func.sum(Dispute.funds_reinstated_cents), 0).label("reinstated"),
            func.count().filter(Dispute.status.in_(OPEN_DISPUTE_STATUSES)).label("open"),
        )
        .join(Payment, Payment.id == Dispute.payment_id)
        .where(Payment.group_id == group_id, Payment.invoice_id == invoice_id)
        .subquery()
    )
    return select(succeeded, refunded, disputes.c.withdrawn, disputes.c.reinstated, disputes.c.open, processing)


# Built once: one statement (each Stripe event reads the totals twice, and on a busy database a round
# trip costs more than these index lookups), and building it per call cost ~1.3 ms of CPU.
_TOTALS = _totals_statement()


def ledger_totals(session: Session, invoice: Invoice) -> LedgerTotals:
    row = session.execute(_TOTALS, {"invoice_id": invoice.id, "group_id": invoice.group_id}).one()
    return LedgerTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]), int(row[5]))


def derive_status(invoice: Invoice, paid_cents: int) -> str:
    if invoice.voided_at is not None:
        return "void"
    if paid_cents >= invoice.total_cents:
        return "paid"
    if paid_cents > 0:
        return "partially_paid"
    return "open"


def recompute_invoice(session: Session, invoice: Invoice) -> bool:
    """Store paid/balance/overpaid/status/disputed from the ledger rows. True when anything changed."""
    session.flush()
    totals = ledger_totals(session, invoice)
    paid = totals.paid_cents
    voided = invoice.voided_at is not None
    new = {
        "paid_cents": paid,
        "balance_cents": 0 if voided else max(invoice.total_cents - paid, 0),
        # A void invoice owes nothing, so anything that still lands on it is money to hand back.
        "overpaid_cents": max(paid, 0) if voided else max(paid - invoice.total_cents, 0),
        "status": derive_status(invoice, paid),
        "disputed": totals.open_disputes > 0,
        "processing_cents": 0 if voided else totals.processing_cents,
    }
    changed = any(getattr(invoice, k) != v for k, v in new.items())
    if changed:
        for key, value in new.items():
            setattr(invoice, key, value)
        invoice.ledger_version += 1
        session.flush()
    return changed
