"""Reading an invoice's ledger rows (payments, their refunds, disputes) and finding a payment in a group."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import Select, and_, or_, select

from shared.db.arrays import any_id
from shared.db.repository import PracticeRepository
from shared.ledger.balances import lock_invoice
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from shared.payments.card import CONFIRMED_IN_FLIGHT


class PaymentRepository(PracticeRepository[Payment]):
    model = Payment
    noun = "payment"

    def list_stmt(self, group_id: uuid.UUID, *, client_id: uuid.UUID | None = None) -> Select[tuple[Payment]]:
        """The group's payments (all methods and statuses), of one client's invoices when asked."""
        stmt = self.scoped(group_id)
        if client_id is not None:
            stmt = stmt.join(Invoice, Invoice.id == Payment.invoice_id).where(
                Invoice.group_id == group_id, Invoice.client_id == client_id
            )
        return stmt

    def lock_with_invoice(self, group_id: uuid.UUID, payment_id: str) -> tuple[Payment, Invoice]:
        """A staff-named payment (its id as given: 404 if malformed, unknown or another practice's) and its
        invoice, both locked — the invoice first, as every writer locks them, so two never deadlock."""
        found = self.get_or_404(group_id, payment_id, param="payment_id")
        invoice = lock_invoice(self.session, found.invoice_id, group_id)
        payment = self.get(group_id, found.id, for_update=True)
        assert payment is not None  # it was found, and payments are never deleted
        return payment, invoice

    def payments_of(self, invoice_id: uuid.UUID, *, statuses: tuple[str, ...] | None = None) -> list[Payment]:
        stmt = select(Payment).where(Payment.invoice_id == invoice_id)
        if statuses is not None:
            stmt = stmt.where(Payment.status.in_(statuses))
        return list(self.session.scalars(stmt.order_by(Payment.created_at, Payment.id)))

    def refunds_by_payment(self, payment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Refund]]:
        grouped: dict[uuid.UUID, list[Refund]] = defaultdict(list)
        if payment_ids:
            for refund in self.session.scalars(
                select(Refund).where(Refund.payment_id.in_(payment_ids)).order_by(Refund.created_at)
            ):
                grouped[refund.payment_id].append(refund)
        return grouped

    def disputes_of(self, invoice_id: uuid.UUID) -> list[Dispute]:
        return list(
            self.session.scalars(
                select(Dispute)
                .join(Payment, Payment.id == Dispute.payment_id)
                .where(Payment.invoice_id == invoice_id)
                .order_by(Dispute.created_at)
            )
        )

    def card_payments_in_flight(self, invoice_ids: list[uuid.UUID]) -> list[Payment]:
        """Card payments of these invoices that Stripe may still charge (`shared.payments.card.in_flight`),
        current: read after the invoices' locks are held."""
        if not invoice_ids:
            return []
        return list(
            self.session.scalars(
                select(Payment)
                .where(
                    Payment.invoice_id == any_id(invoice_ids),
                    Payment.method == "card",
                    or_(
                        Payment.status.in_(CONFIRMED_IN_FLIGHT),
                        and_(Payment.status == "pending", Payment.stripe_payment_intent_id.is_not(None)),
                    ),
                )
                .order_by(Payment.invoice_id, Payment.created_at, Payment.id)
                .execution_options(populate_existing=True)
            )
        )

    def unconfirmed_card_payments(self, invoice_id: uuid.UUID) -> list[Payment]:
        """Card payments a client opened but that have no PaymentIntent yet: nothing at Stripe can charge them."""
        return list(
            self.session.scalars(
                select(Payment)
                .where(
                    Payment.invoice_id == invoice_id,
                    Payment.method == "card",
                    Payment.status == "pending",
                    Payment.stripe_payment_intent_id.is_(None),
                )
                .order_by(Payment.created_at, Payment.id)
                .execution_options(populate_existing=True)
            )
        )
