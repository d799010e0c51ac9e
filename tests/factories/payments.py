"""Payments written straight to the database as the portal, a biller or Stripe's events leave them
(card payments, checks), and what the tests read back about payments, refunds and disputes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

import shared.db.models  # noqa: F401 — every mapper, so relationships resolve
from shared.db.engine import session_scope
from shared.ledger.balances import recompute_invoice
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from tests.factories.clients import make_client
from tests.factories.invoices import make_invoice
from tests.factories.practices import PracticeRow


@dataclass(frozen=True)
class CardPaymentRow:
    group_id: uuid.UUID
    client_id: uuid.UUID
    invoice_id: uuid.UUID
    payment_id: uuid.UUID
    payment_intent_id: str
    amount_cents: int


def make_card_payment(
    group_id: uuid.UUID,
    invoice_id: str | uuid.UUID,
    amount_cents: int,
    *,
    status: str = "processing",
    payment_intent_id: str | None = None,
) -> tuple[uuid.UUID, str]:
    """A card payment as the portal leaves it after confirming: our row, linked to its PaymentIntent."""
    pi_id = payment_intent_id or f"pi_test{uuid.uuid4().hex[:20]}"
    invoice_id = uuid.UUID(str(invoice_id))
    with session_scope() as session:
        payment = Payment(
            group_id=group_id,
            invoice_id=invoice_id,
            method="card",
            amount_cents=amount_cents,
            currency="USD",
            status=status,
            refunded_cents=0,
            overpayment_cents=0,
            stripe_payment_intent_id=pi_id,
        )
        session.add(payment)
        session.flush()
        if status == "succeeded":
            recompute_invoice(session, session.get(Invoice, invoice_id))
        return payment.id, pi_id


def make_invoice_with_card_payment(
    practice: PracticeRow,
    total_cents: int = 12_500,
    *,
    status: str = "processing",
    payment_intent_id: str | None = None,
) -> CardPaymentRow:
    """A client, an open invoice of theirs dated today with no lines, and a card payment on it (linked to
    `payment_intent_id` when the PaymentIntent exists at Stripe, a made-up id otherwise)."""
    group_id = practice.group_id
    client_id = make_client(practice).id
    invoice_id = uuid.UUID(make_invoice(group_id, client_id, total_cents, invoiced_date=date.today(), with_line=False))
    payment_id, pi_id = make_card_payment(
        group_id, invoice_id, total_cents, status=status, payment_intent_id=payment_intent_id
    )
    return CardPaymentRow(group_id, client_id, invoice_id, payment_id, pi_id, total_cents)


def mark_paid_by_check(
    group_id: str | uuid.UUID,
    invoice_id: str | uuid.UUID,
    amount_cents: int,
    *,
    received_date: date | None = None,
    reference: str | None = "1042",
) -> uuid.UUID:
    """What a biller's manual mark-paid leaves: a succeeded check payment (in the invoice's currency,
    received today unless told) and a recomputed invoice. The invoice row is locked as the product locks
    it, so an overpayment written this way is the race the overpayment alert is about."""
    with session_scope() as session:
        invoice = session.get(Invoice, uuid.UUID(str(invoice_id)), with_for_update=True)
        payment = Payment(
            group_id=uuid.UUID(str(group_id)),
            invoice_id=invoice.id,
            method="check",
            amount_cents=amount_cents,
            currency=invoice.currency,
            status="succeeded",
            received_date=received_date or date.today(),
            reference=reference,
            refunded_cents=0,
            overpayment_cents=0,
        )
        session.add(payment)
        session.flush()
        recompute_invoice(session, invoice)
        return payment.id


def payment_state(payment_id: uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        p = session.get(Payment, payment_id)
        return {
            "status": p.status,
            "amount_cents": p.amount_cents,
            "refunded_cents": p.refunded_cents,
            "overpayment_cents": p.overpayment_cents,
            "failure_message": p.failure_message,
        }


def refunds_of(payment_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        return [
            {"stripe_refund_id": r.stripe_refund_id, "amount_cents": r.amount_cents, "status": r.status}
            for r in session.scalars(select(Refund).where(Refund.payment_id == payment_id))
        ]


def disputes_of(payment_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        return [
            {
                "stripe_dispute_id": d.stripe_dispute_id,
                "status": d.status,
                "funds_withdrawn_cents": d.funds_withdrawn_cents,
                "funds_reinstated_cents": d.funds_reinstated_cents,
            }
            for d in session.scalars(select(Dispute).where(Dispute.payment_id == payment_id))
        ]


def card_payments_of(invoice_id: str) -> list[Payment]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(Payment)
                .where(Payment.invoice_id == uuid.UUID(invoice_id), Payment.method == "card")
                .order_by(Payment.created_at)
            )
        )


def count_payments(invoice_id: str, status: str) -> int:
    with session_scope() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.invoice_id == uuid.UUID(invoice_id), Payment.status == status)
            )
        )
