"""Money received outside the portal: mark invoices paid, record a partial payment, reverse a mistake.

Every change locks its invoice first (`ledger.lock_invoice`, in id order when there are
several, so two billers never deadlock) and recomputes it in the same transaction, so
the stored status and balance never disagree with the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.db.arrays import any_id, parse_ids
from shared.db.ids import parse_id
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.invoicing.models import Invoice
from shared.payments.ledger import lock_invoice, recompute_invoice
from shared.payments.models import Payment
from shared.payments.repository import PaymentRepository
from shared.payments.schemas import ManualPaymentCreate, MarkPaidRequest, PaymentOut, RefundOut, ReverseRequest


def _names(ids: Sequence[object]) -> str:
    shown = ", ".join(str(i) for i in list(ids)[:5])
    return shown + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _refuse_unpayable(invoice: Invoice) -> None:
    if invoice.status == "void":
        raise Conflict(f"Invoice {invoice.number} is void.", code="invoice_void", param="invoice_id",
                       details={"invoice_ids": [str(invoice.id)]})
    if invoice.status == "paid" or invoice.balance_cents == 0:
        raise Conflict(f"Invoice {invoice.number} is already paid.", code="invoice_already_paid",
                       param="invoice_id", details={"invoice_ids": [str(invoice.id)]})


def _new_manual_payment(session: Session, actor: Actor, invoice: Invoice, amount_cents: int, method: str,
                        received_date, reference: str | None) -> Payment:  # noqa: ANN001
    payment = Payment(group_id=invoice.group_id, invoice_id=invoice.id, method=method, amount_cents=amount_cents,
                      currency=invoice.currency, status="succeeded", received_date=received_date,
                      reference=reference or None, refunded_cents=0, overpayment_cents=0,
                      created_by_user_id=actor.user_id)
    session.add(payment)
    session.flush()
    recompute_invoice(session, invoice)
    record(session, actor, "payment.recorded", "payment", payment.id,
           data={"invoice_id": str(invoice.id), "method": method, "amount_cents": amount_cents,
                 "received_date": received_date.isoformat()})
    record(session, actor, "invoice.payment_recorded", "invoice", invoice.id,
           data={"payment_id": str(payment.id), "amount_cents": amount_cents, "status": invoice.status,
                 "balance_cents": invoice.balance_cents})
    return payment


def mark_paid(session: Session, actor: Actor, data: MarkPaidRequest) -> list[Payment]:
    """A payment of each remaining balance; one paid, void or unknown invoice refuses the whole request."""
    ids, bad = parse_ids(data.invoice_ids)
    if not ids and not bad:
        raise ValidationFailed("Select at least one invoice.", code="empty_selection", param="invoice_ids")
    invoices = list(session.scalars(
        select(Invoice).where(Invoice.group_id == actor.group_id, Invoice.id == any_id(ids))
        .order_by(Invoice.id).with_for_update().execution_options(populate_existing=True)
    )) if ids else []
    found = {invoice.id for invoice in invoices}
    unknown = bad + [str(i) for i in ids if i not in found]
    if unknown:
        raise NotFound(f"No such invoice: {_names(unknown)}.", code="resource_missing", param="invoice_ids",
                       details={"invoice_ids": unknown})
    void = [invoice for invoice in invoices if invoice.status == "void"]
    if void:
        raise Conflict(f"These invoices are void: {_names([i.number for i in void])}.", code="invoice_void",
                       param="invoice_ids", details={"invoice_ids": [str(i.id) for i in void]})
    paid = [invoice for invoice in invoices if invoice.status == "paid" or invoice.balance_cents == 0]
    if paid:
        raise Conflict(f"These invoices are already paid: {_names([i.number for i in paid])}.",
                       code="invoice_already_paid", param="invoice_ids",
                       details={"invoice_ids": [str(i.id) for i in paid]})
    by_id = {invoice.id: invoice for invoice in invoices}
    return [_new_manual_payment(session, actor, by_id[i], by_id[i].balance_cents, data.method, data.received_date,
                                data.reference) for i in ids]


def record_manual_payment(session: Session, actor: Actor, invoice_id: str, data: ManualPaymentCreate) -> Payment:
    invoice = lock_invoice(session, parse_id(invoice_id, "invoice", "invoice_id"), actor.group_id)
    _refuse_unpayable(invoice)
    if data.amount_cents > invoice.balance_cents:
        raise ValidationFailed(
            f"The amount is more than the balance of invoice {invoice.number} ({invoice.balance_cents} cents).",
            code="amount_exceeds_balance", param="amount_cents",
            details={"balance_cents": invoice.balance_cents})
    return _new_manual_payment(session, actor, invoice, data.amount_cents, data.method, data.received_date,
                               data.reference)


def reverse_payment(session: Session, actor: Actor, payment_id: str, data: ReverseRequest) -> Payment:
    """Undo a mistaken manual payment. It stays in the history as `reversed`; card money goes back by refund."""
    repo = PaymentRepository.from_session(session)
    found = repo.get(actor.group_id, parse_id(payment_id, "payment", "payment_id"))
    if found is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    invoice = lock_invoice(session, found.invoice_id, actor.group_id)
    payment = repo.get(actor.group_id, found.id, for_update=True)
    if payment.method == "card":
        raise Conflict("A card payment cannot be reversed here; refund it instead.",
                       code="card_payment_not_reversible", param="payment_id")
    if payment.status == "reversed":
        raise Conflict("This payment is already reversed.", code="payment_already_reversed", param="payment_id")
    if payment.status != "succeeded":
        raise Conflict("Only a received payment can be reversed.", code="payment_not_succeeded", param="payment_id")
    payment.status = "reversed"
    payment.reversed_at = datetime.now(UTC)
    payment.reversal_reason = data.reason
    recompute_invoice(session, invoice)
    record(session, actor, "payment.reversed", "payment", payment.id,
           data={"invoice_id": str(invoice.id), "amount_cents": payment.amount_cents, "reason": data.reason})
    record(session, actor, "invoice.payment_reversed", "invoice", invoice.id,
           data={"payment_id": str(payment.id), "status": invoice.status, "balance_cents": invoice.balance_cents})
    return payment


def payment_views(session: Session, payments: Sequence[Payment]) -> list[PaymentOut]:
    refunds = PaymentRepository.from_session(session).refunds_by_payment([p.id for p in payments])
    return [PaymentOut.model_validate(p).model_copy(
        update={"refunds": [RefundOut.model_validate(r) for r in refunds.get(p.id, [])]}) for p in payments]
