"""Queries that find our ledger rows from the ids Stripe hands us (PaymentIntent, refund, dispute).

A batch of Stripe events (the worker applies up to 20 in one transaction) can `preload` its
PaymentIntents' payments: their invoices are locked in one statement, in id order (so two
batches never deadlock), then the payments are read — current, since every writer of a
payment holds its invoice's lock. The lookups below then answer from the session for those
payments instead of asking the database three times per event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from shared.db.repository import Repository, Whose, practice_of
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund

_PRELOADED = "stripe_ledger_preloaded"


@dataclass
class Preloaded:
    """What this transaction already holds: payments by PaymentIntent id, and the invoices it locked.
    (Held here, not only in the session: its identity map lets go of unchanged objects.)"""

    payments_by_intent: dict[str, Payment] = field(default_factory=dict)
    locked_invoices: dict[uuid.UUID, Invoice] = field(default_factory=dict)


def preloaded(session: Session) -> Preloaded | None:
    return session.info.get(_PRELOADED)


class StripeLedgerRepository(Repository):
    def preload(self, group_intents: list[tuple[uuid.UUID, str]]) -> None:
        """Lock the invoices of the payments these (group, PaymentIntent id) pairs name, then read
        the payments; see the module's docstring."""
        known = self.session.info.setdefault(_PRELOADED, Preloaded())
        if not group_intents:
            return
        named = tuple_(Payment.group_id, Payment.stripe_payment_intent_id).in_(group_intents)
        invoices = self.session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(select(Payment.invoice_id).where(named)))
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        known.locked_invoices.update((invoice.id, invoice) for invoice in invoices)
        for payment in self.session.scalars(select(Payment).where(named).execution_options(populate_existing=True)):
            known.payments_by_intent[payment.stripe_payment_intent_id] = payment

    def payment_by_intent(self, payment_intent_id: str) -> Payment | None:
        known = preloaded(self.session)
        if known is not None and payment_intent_id in known.payments_by_intent:
            return known.payments_by_intent[payment_intent_id]
        return self.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id))

    def card_payment_in_group(self, payment_id: uuid.UUID, whose: Whose) -> Payment | None:
        group_id = practice_of(whose)
        return self.session.scalar(
            select(Payment).where(Payment.id == payment_id, Payment.group_id == group_id, Payment.method == "card")
        )

    def reload_payment(self, payment: Payment) -> Payment:
        """Re-read after the invoice lock is held, so we act on the committed state, not a stale copy
        (a preloaded payment was read after its invoice's lock: it is current already)."""
        known = preloaded(self.session)
        if (
            known is not None
            and payment.stripe_payment_intent_id is not None
            and known.payments_by_intent.get(payment.stripe_payment_intent_id) is payment
        ):
            return payment
        stmt = select(Payment).where(Payment.group_id == payment.group_id, Payment.id == payment.id)
        return self.session.scalars(stmt.execution_options(populate_existing=True)).one()

    def refund_by_stripe_id(self, stripe_refund_id: str) -> Refund | None:
        return self.session.scalars(
            select(Refund).where(Refund.stripe_refund_id == stripe_refund_id).execution_options(populate_existing=True)
        ).one_or_none()

    def refunds_of_payment(self, payment: Payment) -> list[Refund]:
        stmt = select(Refund).where(Refund.group_id == payment.group_id, Refund.payment_id == payment.id)
        return list(self.session.scalars(stmt.execution_options(populate_existing=True)))

    def dispute_by_stripe_id(self, stripe_dispute_id: str) -> Dispute | None:
        return self.session.scalars(
            select(Dispute)
            .where(Dispute.stripe_dispute_id == stripe_dispute_id)
            .execution_options(populate_existing=True)
        ).one_or_none()

    def unsent_refund(self, refund_id: uuid.UUID, whose: Whose, for_update: bool = False) -> Refund | None:
        """Our refund row, asked for in clinicpay, that has no Stripe refund id yet."""
        group_id = practice_of(whose)
        stmt = select(Refund).where(
            Refund.id == refund_id, Refund.group_id == group_id, Refund.stripe_refund_id.is_(None)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
