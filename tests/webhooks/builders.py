"""Rows the webhook tests start from, written straight to the database (setup, not what is tested)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

import shared.db.models  # noqa: F401 — every mapper, so relationships resolve
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.invoicing.models import Invoice
from shared.payments.ledger import recompute_invoice
from shared.payments.models import Dispute, Payment, Refund
from shared.security.secrets import encrypt_secret
from shared.stripe_sync.models import StripeEvent
from tests.stripe_events import new_webhook_secret

_serial = itertools.count(1)


@dataclass(frozen=True)
class PracticeRow:
    group_id: uuid.UUID
    webhook_secret: str | None


@dataclass(frozen=True)
class CardPaymentRow:
    group_id: uuid.UUID
    client_id: uuid.UUID
    invoice_id: uuid.UUID
    payment_id: uuid.UUID
    payment_intent_id: str
    amount_cents: int


def make_practice(
    *,
    webhook_secret: str | None = "generate",
    name: str | None = None,
    stripe_secret_key: str | None = None,
    stripe_api_base: str | None = None,
) -> PracticeRow:
    """A practice with a webhook secret (and, when given, a Stripe secret key on its own Stripe)."""
    secret = new_webhook_secret() if webhook_secret == "generate" else webhook_secret
    with session_scope() as session:
        group = Group(
            name=name or f"Practice {next(_serial)}",
            currency="USD",
            timezone="America/Chicago",
            invoice_prefix="INV-",
            allow_partial_payments=False,
            minimum_payment_cents=0,
            stripe_webhook_secret_encrypted=encrypt_secret(secret) if secret else None,
            stripe_secret_key_encrypted=encrypt_secret(stripe_secret_key) if stripe_secret_key else None,
            stripe_secret_key_last4=stripe_secret_key[-4:] if stripe_secret_key else None,
            stripe_api_base=stripe_api_base,
        )
        session.add(group)
        session.flush()
        session.add(InvoiceSequence(group_id=group.id, next_number=1))
        return PracticeRow(group.id, secret)


def make_client(group_id: uuid.UUID, name: str = "Jordan Client") -> uuid.UUID:
    with session_scope() as session:
        client = Client(group_id=group_id, name=name, email=f"client{next(_serial)}@example.com")
        session.add(client)
        session.flush()
        return client.id


def make_invoice(group_id: uuid.UUID, client_id: uuid.UUID, total_cents: int) -> uuid.UUID:
    with session_scope() as session:
        sequence = (session.scalar(select(func.max(Invoice.sequence)).where(Invoice.group_id == group_id)) or 0) + 1
        invoice = Invoice(
            group_id=group_id,
            client_id=client_id,
            sequence=sequence,
            number=f"INV-{sequence:06d}",
            invoiced_date=date.today(),
            currency="USD",
            total_cents=total_cents,
            paid_cents=0,
            balance_cents=total_cents,
            overpaid_cents=0,
            status="open",
            disputed=False,
            ledger_version=1,
        )
        session.add(invoice)
        session.flush()
        return invoice.id


def make_card_payment(
    group_id: uuid.UUID,
    invoice_id: uuid.UUID,
    amount_cents: int,
    *,
    status: str = "processing",
    payment_intent_id: str | None = None,
) -> tuple[uuid.UUID, str]:
    """A card payment as the portal leaves it after confirming: our row, linked to its PaymentIntent."""
    pi_id = payment_intent_id or f"pi_test{uuid.uuid4().hex[:20]}"
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
    group_id: uuid.UUID, total_cents: int = 12_500, *, status: str = "processing"
) -> CardPaymentRow:
    client_id = make_client(group_id)
    invoice_id = make_invoice(group_id, client_id, total_cents)
    payment_id, pi_id = make_card_payment(group_id, invoice_id, total_cents, status=status)
    return CardPaymentRow(group_id, client_id, invoice_id, payment_id, pi_id, total_cents)


def mark_paid_by_check(group_id: uuid.UUID, invoice_id: uuid.UUID, amount_cents: int) -> uuid.UUID:
    """What a biller's manual mark-paid leaves: a succeeded check payment and a recomputed invoice."""
    with session_scope() as session:
        payment = Payment(
            group_id=group_id,
            invoice_id=invoice_id,
            method="check",
            amount_cents=amount_cents,
            currency="USD",
            status="succeeded",
            received_date=date.today(),
            reference="1042",
            refunded_cents=0,
            overpayment_cents=0,
        )
        session.add(payment)
        session.flush()
        recompute_invoice(session, session.get(Invoice, invoice_id))
        return payment.id


# --- Reading back what a biller would see ---


def invoice_state(invoice_id: uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        inv = session.get(Invoice, invoice_id)
        return {
            "status": inv.status,
            "paid_cents": inv.paid_cents,
            "balance_cents": inv.balance_cents,
            "overpaid_cents": inv.overpaid_cents,
            "disputed": inv.disputed,
            "total_cents": inv.total_cents,
        }


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


def unpaid_invoice_count(client_id: uuid.UUID) -> int:
    with session_scope() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Invoice)
                .where(Invoice.client_id == client_id, Invoice.status.in_(("open", "partially_paid")))
            )
            or 0
        )


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


def stored_events(group_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    with session_scope() as session:
        query = select(StripeEvent).order_by(StripeEvent.received_at)
        if group_id is not None:
            query = query.where(StripeEvent.group_id == group_id)
        return [
            {
                "id": e.id,
                "stripe_event_id": e.stripe_event_id,
                "type": e.type,
                "group_id": e.group_id,
                "dispatched_at": e.dispatched_at,
                "processed_at": e.processed_at,
                "outcome": e.outcome,
                "attempts": e.attempts,
                "last_error": e.last_error,
            }
            for e in session.scalars(query)
        ]


def stored_event(group_id: uuid.UUID, stripe_event_id: str) -> dict[str, Any] | None:
    return next((e for e in stored_events(group_id) if e["stripe_event_id"] == stripe_event_id), None)
