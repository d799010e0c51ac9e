"""Setup in bulk and the ledger as a biller would check it, read straight from the database.

Setup (hundreds of invoices with card payments waiting for Stripe's word) is not what the fault
scenarios are about, so it goes in with a few bulk inserts. What they check — every invoice
paid, every payment applied once — is read back here.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update

import shared.db.models  # noqa: F401 — every mapper
from shared.audit.models import AuditEvent
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.groups.models import InvoiceSequence
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment, Refund
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until
from tests.stripe_events import event, payment_intent


@dataclass(frozen=True)
class CardPayment:
    group_id: uuid.UUID
    invoice_id: uuid.UUID
    payment_id: uuid.UUID
    payment_intent_id: str
    amount_cents: int

    def intent(self, status: str, **fields: Any) -> dict[str, Any]:
        """This payment's PaymentIntent as Stripe would show it in `status`."""
        return payment_intent(
            pi_id=self.payment_intent_id,
            amount=self.amount_cents,
            status=status,
            metadata={
                "group_id": str(self.group_id),
                "payment_id": str(self.payment_id),
                "invoice_id": str(self.invoice_id),
            },
            **fields,
        )


def card_payments(group_id: uuid.UUID, amounts: list[int], *, status: str = "processing") -> list[CardPayment]:
    """One client, one open invoice and one card payment (already confirmed, Stripe not yet heard
    from) per amount — what the portal leaves behind after `amounts` clients pressed Pay."""
    clients, invoices, payments, made = [], [], [], []
    with session_scope() as session:
        start = session.scalar(
            select(InvoiceSequence.next_number).where(InvoiceSequence.group_id == group_id).with_for_update()
        )
        for offset, amount in enumerate(amounts):
            client_id, invoice_id, payment_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            pi_id = f"pi_fault{uuid.uuid4().hex[:20]}"
            sequence = start + offset
            clients.append(
                {
                    "id": client_id,
                    "group_id": group_id,
                    "name": f"Client {sequence:05d}",
                    "email": f"client{sequence}@faults.example",
                }
            )
            invoices.append(
                {
                    "id": invoice_id,
                    "group_id": group_id,
                    "client_id": client_id,
                    "sequence": sequence,
                    "number": f"INV-{sequence:06d}",
                    "invoiced_date": date(2026, 4, 1),
                    "currency": "USD",
                    "total_cents": amount,
                    "paid_cents": 0,
                    "balance_cents": amount,
                    "overpaid_cents": 0,
                    "status": "open",
                    "disputed": False,
                    "ledger_version": 1,
                }
            )
            payments.append(
                {
                    "id": payment_id,
                    "group_id": group_id,
                    "invoice_id": invoice_id,
                    "method": "card",
                    "amount_cents": amount,
                    "currency": "USD",
                    "status": status,
                    "refunded_cents": 0,
                    "overpayment_cents": 0,
                    "stripe_payment_intent_id": pi_id,
                }
            )
            made.append(CardPayment(group_id, invoice_id, payment_id, pi_id, amount))
        session.execute(insert(Client), clients)
        session.execute(insert(Invoice), invoices)
        session.execute(insert(Payment), payments)
        session.execute(
            update(InvoiceSequence).where(InvoiceSequence.group_id == group_id).values(next_number=start + len(amounts))
        )
    return made


def succeeded_events(payments: list[CardPayment]) -> list[dict[str, Any]]:
    """One `payment_intent.succeeded` per payment: Stripe's word that each invoice is paid in full, the
    load the event-applying fault scenarios deliver (`card_event_losses` checks what became of it)."""
    return [event("payment_intent.succeeded", p.intent("succeeded")) for p in payments]


# --- waiting ---


def wait_until_processed(
    group_id: uuid.UUID, count: int, *, timeout: float, message: str, interval: float = 0.5
) -> None:
    """Wait until exactly `count` of the practice's stored events are processed: the point after a fault
    where the scenario reads the ledger back (a recovery that goes past `count` never gets there)."""
    poll_until(
        lambda: inbox_counts(group_id)["processed"] == count, timeout=timeout, interval=interval, message=message
    )


def wait_until_busy(group_id: uuid.UUID, at_least: int, *, timeout: float = 120) -> None:
    """Wait, looking often, until the worker has processed `at_least` of the practice's events: it is in
    the middle of applying them, which is when a scenario strikes (kills the worker, stops the database)."""
    poll_until(
        lambda: inbox_counts(group_id)["processed"] >= at_least,
        timeout=timeout,
        interval=0.05,
        message="the worker to be busy applying events",
    )


# --- reading back ---


def card_event_results(group_id: uuid.UUID) -> tuple[list[dict[str, Any]], Counter, dict[uuid.UUID, dict[str, Any]]]:
    """The inbox rows, the `payment.succeeded` changes and the invoices, read once a scenario's events
    are processed: what `card_event_losses` counts from and the scenario's own assertions look at."""
    return inbox(group_id), ledger_changes(group_id, "payment.succeeded"), invoices_by_id(group_id)


def invoices_by_id(group_id: uuid.UUID) -> dict[uuid.UUID, dict[str, Any]]:
    with session_scope() as session:
        return {
            i.id: {
                "status": i.status,
                "paid_cents": i.paid_cents,
                "balance_cents": i.balance_cents,
                "overpaid_cents": i.overpaid_cents,
                "total_cents": i.total_cents,
            }
            for i in session.scalars(select(Invoice).where(Invoice.group_id == group_id))
        }


def payments_by_id(group_id: uuid.UUID) -> dict[uuid.UUID, dict[str, Any]]:
    with session_scope() as session:
        return {
            p.id: {
                "status": p.status,
                "amount_cents": p.amount_cents,
                "refunded_cents": p.refunded_cents,
                "overpayment_cents": p.overpayment_cents,
                "invoice_id": p.invoice_id,
                "method": p.method,
            }
            for p in session.scalars(select(Payment).where(Payment.group_id == group_id))
        }


def refunds_by_stripe_id(group_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    with session_scope() as session:
        return {
            r.stripe_refund_id: {"payment_id": r.payment_id, "amount_cents": r.amount_cents, "status": r.status}
            for r in session.scalars(select(Refund).where(Refund.group_id == group_id))
        }


def inbox(group_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        return [
            {
                "stripe_event_id": e.stripe_event_id,
                "type": e.type,
                "processed_at": e.processed_at,
                "dispatched_at": e.dispatched_at,
                "outcome": e.outcome,
                "attempts": e.attempts,
                "last_error": e.last_error,
                "id": e.id,
            }
            for e in session.scalars(select(StripeEvent).where(StripeEvent.group_id == group_id))
        ]


def inbox_counts(group_id: uuid.UUID) -> dict[str, int]:
    with session_scope() as session:
        row = session.execute(
            select(func.count(), func.count(StripeEvent.processed_at), func.count(StripeEvent.dispatched_at)).where(
                StripeEvent.group_id == group_id
            )
        ).one()
    return {"stored": row[0], "processed": row[1], "dispatched": row[2]}


def in_flight(group_id: uuid.UUID) -> int:
    """Inbox rows a worker has claimed (leased) and not yet committed: work a kill would interrupt."""
    with session_scope() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(StripeEvent)
                .where(
                    StripeEvent.group_id == group_id,
                    StripeEvent.processed_at.is_(None),
                    StripeEvent.lease_expires_at > func.now(),
                )
            )
            or 0
        )


def ledger_changes(group_id: uuid.UUID, action: str) -> Counter:
    """How many times each entity went through `action` (e.g. payment.succeeded) — the audit trail
    the ledger writes in the same transaction as each change, so twice here means applied twice."""
    with session_scope() as session:
        return Counter(
            session.scalars(
                select(AuditEvent.entity_id).where(AuditEvent.group_id == group_id, AuditEvent.action == action)
            )
        )


def card_event_losses(
    rows: list[dict[str, Any]], applied: Counter, invoices: dict[uuid.UUID, dict[str, Any]]
) -> dict[str, int]:
    """What a fault may not cost when each event pays one invoice in full (the goal: every value 0),
    from the inbox rows, the `payment.succeeded` changes and the invoices read after it."""
    return {
        "events_not_applied": sum(1 for r in rows if r["outcome"] != "applied"),
        "events_applied_twice": sum(n - 1 for n in applied.values() if n > 1),
        "invoices_not_paid": sum(
            1
            for i in invoices.values()
            if (i["status"], i["paid_cents"], i["overpaid_cents"]) != ("paid", i["total_cents"], 0)
        ),
    }
