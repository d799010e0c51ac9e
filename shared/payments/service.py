"""Money received outside the portal: mark invoices paid, record a partial payment, reverse a mistake.

Every change locks its invoice first (`ledger.lock_invoice`, in id order when there are
several, so two billers never deadlock) and recomputes it in the same transaction, so
the stored status and balance never disagree with the rows.

A manual payment is never recorded beside a card payment Stripe may still charge
(`shared.payments.card.in_flight`): that would be paid twice. It is refused (409
`payment_in_flight`, naming the payments). One still waiting for the client
(`requires_action`, or `pending` with a PaymentIntent) may be canceled at Stripe first
(`cancel_card_payments_in_flight`, asked for with `cancel_pending_card_payment: true`); a
`processing` one is waited for. A card payment the client only opened (pending, no
PaymentIntent) cannot be charged without our server, so it blocks nothing: it is closed
when a manual payment settles the invoice, and the portal then refuses to confirm it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import stripe
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.db.arrays import parse_ids
from shared.db.ids import parse_id
from shared.errors import Conflict, NotFound, ValidationFailed, a_few
from shared.groups.repository import GroupRepository
from shared.ledger.balances import lock_invoice, recompute_invoice
from shared.ledger.invoice_repository import InvoiceRepository
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment, Refund
from shared.logging import get_logger
from shared.outbox.service import payment_changed
from shared.payments.card import apply_payment_intent, cancelable_at_stripe
from shared.payments.repository import PaymentRepository
from shared.payments.schemas import ManualPaymentCreate, MarkPaidRequest, PaymentOut, RefundOut, ReverseRequest
from shared.stripe_sync.gateway import StripeGateway

log = get_logger(__name__)

# Card payments that charged nothing: what a cancel-first may leave behind.
_NOTHING_CHARGED = ("canceled", "failed")


@dataclass
class ManualPaymentResult:
    payments: list[Payment]  # the manual payments recorded
    # Card payments the client had opened but never confirmed, closed because the invoice is now settled.
    closed_card_payments: list[Payment] = field(default_factory=list)


def _refuse_unpayable(invoice: Invoice) -> None:
    if invoice.status == "void":
        raise Conflict(
            f"Invoice {invoice.number} is void.",
            code="invoice_void",
            param="invoice_id",
            details={"invoice_ids": [str(invoice.id)]},
        )
    if invoice.status == "paid" or invoice.balance_cents == 0:
        raise Conflict(
            f"Invoice {invoice.number} is already paid.",
            code="invoice_already_paid",
            param="invoice_id",
            details={"invoice_ids": [str(invoice.id)]},
        )


def _refuse_amount_over_balance(invoice: Invoice, amount_cents: int) -> None:
    if amount_cents > invoice.balance_cents:
        raise ValidationFailed(
            f"The amount is more than the balance of invoice {invoice.number} ({invoice.balance_cents} cents).",
            code="amount_exceeds_balance",
            param="amount_cents",
            details={"balance_cents": invoice.balance_cents},
        )


def _new_manual_payment(
    session: Session,
    actor: Actor,
    invoice: Invoice,
    amount_cents: int,
    method: str,
    received_date: date,
    reference: str | None,
) -> Payment:
    payment = Payment(
        group_id=invoice.group_id,
        invoice_id=invoice.id,
        method=method,
        amount_cents=amount_cents,
        currency=invoice.currency,
        status="succeeded",
        received_date=received_date,
        reference=reference or None,
        refunded_cents=0,
        overpayment_cents=0,
        created_by_user_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    recompute_invoice(session, invoice)
    record(
        session,
        actor,
        "payment.recorded",
        "payment",
        payment.id,
        data={
            "invoice_id": str(invoice.id),
            "method": method,
            "amount_cents": amount_cents,
            "received_date": received_date.isoformat(),
        },
    )
    record(
        session,
        actor,
        "invoice.payment_recorded",
        "invoice",
        invoice.id,
        data={
            "payment_id": str(payment.id),
            "amount_cents": amount_cents,
            "status": invoice.status,
            "balance_cents": invoice.balance_cents,
        },
    )
    payment_changed(session, invoice, payment)  # the client's receipt
    return payment


def _lock_invoices(
    session: Session, actor: Actor, invoice_ids: Sequence[str], param: str = "invoice_ids"
) -> list[Invoice]:
    """The named invoices of the caller's group, locked in id order; one unknown refuses all (404)."""
    ids, bad = parse_ids(invoice_ids)
    if not ids and not bad:
        raise ValidationFailed("Select at least one invoice.", code="empty_selection", param="invoice_ids")
    invoices = InvoiceRepository.from_session(session).lock_selection(actor, ids)
    found = {invoice.id for invoice in invoices}
    unknown = bad + [str(i) for i in ids if i not in found]
    if unknown:
        raise NotFound.naming("No such invoice", unknown, code="resource_missing", param=param)
    by_id = {invoice.id: invoice for invoice in invoices}
    return [by_id[i] for i in ids]


def _refuse_unpayable_selection(invoices: list[Invoice], param: str = "invoice_ids") -> None:
    void = [invoice for invoice in invoices if invoice.status == "void"]
    paid = [invoice for invoice in invoices if invoice.status == "paid" or invoice.balance_cents == 0]
    # A void invoice owes nothing either: it is named as void, the stronger reason.
    for refused, what, code in (
        (void, "These invoices are void", "invoice_void"),
        (paid, "These invoices are already paid", "invoice_already_paid"),
    ):
        if refused:
            numbers, ids = [i.number for i in refused], [i.id for i in refused]
            raise Conflict.naming(what, numbers, code=code, param=param, ids=ids)


def _in_flight_refusal(payments: list[Payment], numbers: dict[uuid.UUID, str], param: str) -> Conflict:
    """409 naming every card payment in the way, and whether a cancel-first could clear it."""
    on = a_few(list(dict.fromkeys(numbers[p.invoice_id] for p in payments)))
    if all(cancelable_at_stripe(p) for p in payments):
        message = (
            f"A card payment is under way on {on} (the client's bank may still ask for 3-D Secure). Nothing was "
            "recorded. Wait for it, or send cancel_pending_card_payment: true to cancel it at Stripe first."
        )
    else:
        message = (
            f"A card payment is processing at Stripe on {on} and cannot be canceled. Nothing was recorded; "
            "try again once it has settled."
        )
    details: dict[str, Any] = {
        "invoice_ids": list(dict.fromkeys(str(p.invoice_id) for p in payments)),
        "payment_ids": [str(p.id) for p in payments],
        "payments": [
            {
                "payment_id": str(p.id),
                "invoice_id": str(p.invoice_id),
                "status": p.status,
                "cancelable": cancelable_at_stripe(p),
            }
            for p in payments
        ],
    }
    if len(payments) == 1:
        details.update(payment_id=str(payments[0].id), payment_status=payments[0].status)
    return Conflict(message, code="payment_in_flight", param=param, details=details)


def _refuse_card_payments_in_flight(session: Session, invoices: list[Invoice], param: str) -> None:
    payments = PaymentRepository.from_session(session).card_payments_in_flight(invoices)
    if payments:
        raise _in_flight_refusal(payments, {i.id: i.number for i in invoices}, param)


def close_unconfirmed_card_payments(session: Session, actor: Actor, invoice: Invoice, reason: str) -> list[Payment]:
    """Once nothing is owed (paid another way, voided), a card payment the client opened but never
    confirmed can never be charged: close it, so it shows as what it is and the portal refuses it."""
    if invoice.balance_cents > 0:
        return []
    closed = PaymentRepository.from_session(session).unconfirmed_card_payments(invoice)
    for payment in closed:
        payment.status = "canceled"
        record(
            session,
            actor,
            "payment.canceled",
            "payment",
            payment.id,
            data={"source": reason, "invoice_id": str(invoice.id), "reason": "nothing_owed"},
        )
    session.flush()
    return closed


def mark_paid(session: Session, actor: Actor, data: MarkPaidRequest) -> ManualPaymentResult:
    """A payment of each remaining balance; one paid, void or unknown invoice, or one with a card
    payment in flight, refuses the whole request."""
    invoices = _lock_invoices(session, actor, data.invoice_ids)
    _refuse_unpayable_selection(invoices)
    _refuse_card_payments_in_flight(session, invoices, "invoice_ids")
    result = ManualPaymentResult(payments=[])
    for invoice in invoices:
        result.payments.append(
            _new_manual_payment(
                session, actor, invoice, invoice.balance_cents, data.method, data.received_date, data.reference
            )
        )
        result.closed_card_payments += close_unconfirmed_card_payments(session, actor, invoice, "mark_paid")
    return result


def record_manual_payment(
    session: Session, actor: Actor, invoice_id: str, data: ManualPaymentCreate
) -> ManualPaymentResult:
    invoice = lock_invoice(session, parse_id(invoice_id, "invoice", "invoice_id"), actor.practice_id)
    _refuse_unpayable(invoice)
    _refuse_amount_over_balance(invoice, data.amount_cents)
    _refuse_card_payments_in_flight(session, [invoice], "invoice_id")
    payment = _new_manual_payment(
        session, actor, invoice, data.amount_cents, data.method, data.received_date, data.reference
    )
    return ManualPaymentResult([payment], close_unconfirmed_card_payments(session, actor, invoice, "manual_payment"))


# --- Cancel first: clear a card payment still waiting for the client, then record the manual one ---


@dataclass
class CancelFirst:
    """What canceling the card payments in the way did. The caller COMMITS before acting on it: what
    Stripe answered (canceled, or already succeeded) is the truth whatever the manual payment does."""

    attempted: list[Payment]
    numbers: dict[uuid.UUID, str]
    param: str

    def raise_if_refused(self) -> None:
        """409 when one of them did not end up charging nothing: it succeeded at Stripe before it
        could be canceled (now recorded: the manual payment would pay twice), or it is processing."""
        charged = [p for p in self.attempted if p.status in ("succeeded", "mismatched")]
        if charged:
            on = a_few(list(dict.fromkeys(self.numbers[p.invoice_id] for p in charged)))
            raise Conflict(
                f"The card payment on {on} went through at Stripe before it could be canceled; it is recorded "
                "on the invoice now. Nothing else was recorded: look at the invoice before recording more.",
                code="card_payment_succeeded",
                param=self.param,
                details={
                    "invoice_ids": list(dict.fromkeys(str(p.invoice_id) for p in charged)),
                    "payment_ids": [str(p.id) for p in charged],
                },
            )
        moving = [p for p in self.attempted if p.status not in _NOTHING_CHARGED]
        if moving:
            raise _in_flight_refusal(moving, self.numbers, self.param)


def cancel_card_payments_in_flight(
    session: Session,
    actor: Actor,
    invoice_ids: Sequence[str],
    *,
    param: str = "invoice_ids",
    amount_cents: int | None = None,
) -> CancelFirst:
    """Cancel at Stripe every card payment in flight on these invoices, and apply what Stripe answers.

    Refused like the manual payment itself would be (unknown, void, paid invoices) before anything is
    sent; refused whole, with nothing sent, when one of them is `processing` (Stripe cannot cancel
    it). `amount_cents`: a one-invoice manual payment's amount, checked against the balance first, so
    a request refused for its amount (422) has canceled nothing. The cancel's idempotency key comes
    from our payment id (the portal's cancel uses the same).
    When Stripe refuses to cancel because the PaymentIntent moved on (3-D Secure completed, the
    charge went through), its current state is read and applied instead."""
    invoices = _lock_invoices(session, actor, invoice_ids, param)
    _refuse_unpayable_selection(invoices, param)
    if amount_cents is not None:
        for invoice in invoices:
            _refuse_amount_over_balance(invoice, amount_cents)
    numbers = {i.id: i.number for i in invoices}
    repo = PaymentRepository.from_session(session)
    in_flight = repo.card_payments_in_flight(invoices)
    if not in_flight:
        return CancelFirst([], numbers, param)
    if not all(cancelable_at_stripe(p) for p in in_flight):
        raise _in_flight_refusal(in_flight, numbers, param)
    gateway = StripeGateway.for_group(GroupRepository.from_session(session).get(actor))
    for payment in in_flight:
        pi_id = payment.stripe_payment_intent_id
        if pi_id is None:
            continue  # never: a payment Stripe may still charge has its PaymentIntent (card.in_flight)
        try:
            pi = gateway.cancel_payment_intent(pi_id, idempotency_key=f"pi-cancel-{payment.id}")
        except stripe.InvalidRequestError as exc:
            log.info("payment_intent_not_cancelable", payment_id=str(payment.id), stripe_code=exc.code)
            pi = gateway.retrieve_payment_intent(pi_id)
        result = apply_payment_intent(session, actor.practice_id, pi, source="manual_payment")
        record(
            session,
            actor,
            "payment.cancel_requested",
            "payment",
            payment.id,
            data={
                "invoice_id": str(payment.invoice_id),
                "payment_intent": pi_id,
                "stripe_status": pi.get("status"),
                "status": result.status,
            },
        )
    attempted = [p for p in (repo.get(actor, p.id) for p in in_flight) if p is not None]
    log.info(
        "card_payments_canceled_for_manual_payment",
        payments={str(p.id): p.status for p in attempted},
    )
    return CancelFirst(attempted, numbers, param)


def reverse_payment(session: Session, actor: Actor, payment_id: str, data: ReverseRequest) -> Payment:
    """Undo a mistaken manual payment. It stays in the history as `reversed`; card money goes back by refund."""
    payment, invoice = PaymentRepository.from_session(session).lock_with_invoice(actor, payment_id)
    if payment.method == "card":
        raise Conflict(
            "A card payment cannot be reversed here; refund it instead.",
            code="card_payment_not_reversible",
            param="payment_id",
        )
    if payment.status == "reversed":
        raise Conflict("This payment is already reversed.", code="payment_already_reversed", param="payment_id")
    if payment.status != "succeeded":
        raise Conflict("Only a received payment can be reversed.", code="payment_not_succeeded", param="payment_id")
    payment.status = "reversed"
    payment.reversed_at = datetime.now(UTC)
    payment.reversal_reason = data.reason
    recompute_invoice(session, invoice)
    record(
        session,
        actor,
        "payment.reversed",
        "payment",
        payment.id,
        data={"invoice_id": str(invoice.id), "amount_cents": payment.amount_cents, "reason": data.reason},
    )
    record(
        session,
        actor,
        "invoice.payment_reversed",
        "invoice",
        invoice.id,
        data={"payment_id": str(payment.id), "status": invoice.status, "balance_cents": invoice.balance_cents},
    )
    return payment


def _refundable(payment: Payment, refunds: Sequence[Refund]) -> int:
    """For the page's Refund button; `staff_refunds.refundable_cents` decides (disputes count there too)."""
    if payment.method != "card" or payment.status != "succeeded" or payment.stripe_payment_intent_id is None:
        return 0
    held = sum(r.amount_cents for r in refunds if r.status in ("pending", "succeeded"))
    return max(payment.amount_cents - held, 0)


def payment_views(session: Session, payments: Sequence[Payment]) -> list[PaymentOut]:
    refunds = PaymentRepository.from_session(session).refunds_by_payment(payments)
    return [
        PaymentOut.model_validate(p).model_copy(
            update={
                "refunds": [RefundOut.model_validate(r) for r in refunds.get(p.id, [])],
                "refundable_cents": _refundable(p, refunds.get(p.id, [])),
            }
        )
        for p in payments
    ]
