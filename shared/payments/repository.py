"""Reading an invoice's ledger rows (payments, their refunds, disputes) and finding a payment in a group."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, or_, select

from shared.db.arrays import any_id
from shared.db.repository import PracticeRepository, Whose, practice_of
from shared.ledger.balances import lock_invoice
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from shared.payments.card import CONFIRMED_IN_FLIGHT

# A card payment not yet settled: opened, waiting for the bank (3-D Secure), or processing.
OPEN_CARD_STATUSES = ("pending", "requires_action", "processing")


class PaymentRepository(PracticeRepository[Payment]):
    model = Payment
    noun = "payment"

    def list_stmt(self, whose: Whose, *, client_id: uuid.UUID | None = None) -> Select[tuple[Payment]]:
        """The group's payments (all methods and statuses), of one client's invoices when asked."""
        group_id = practice_of(whose)
        stmt = self.scoped(group_id)
        if client_id is not None:
            stmt = stmt.join(Invoice, Invoice.id == Payment.invoice_id).where(
                Invoice.group_id == group_id, Invoice.client_id == client_id
            )
        return stmt

    def lock_with_invoice(self, whose: Whose, payment_id: str) -> tuple[Payment, Invoice]:
        """A staff-named payment (its id as given: 404 if malformed, unknown or another practice's) and its
        invoice, both locked — the invoice first, as every writer locks them, so two never deadlock."""
        group_id = practice_of(whose)
        found = self.get_or_404(group_id, payment_id, param="payment_id")
        invoice = lock_invoice(self.session, found.invoice_id, group_id)
        payment = self.get(group_id, found.id, for_update=True)
        assert payment is not None  # it was found, and payments are never deleted
        return payment, invoice

    def invoice_of(self, payment: Payment) -> Invoice:
        return self.session.scalars(
            select(Invoice).where(Invoice.group_id == payment.group_id, Invoice.id == payment.invoice_id)
        ).one()

    def current_refund(self, whose: Whose, refund_id: uuid.UUID) -> Refund:
        """The practice's refund as committed now (Stripe's answer may have moved it since it was read)."""
        group_id = practice_of(whose)
        stmt = select(Refund).where(Refund.group_id == group_id, Refund.id == refund_id)
        return self.session.scalars(stmt.execution_options(populate_existing=True)).one()

    def payments_of(
        self,
        invoice: Invoice,
        *where: ColumnElement[bool],
        statuses: tuple[str, ...] | None = None,
        fresh: bool = False,
    ) -> list[Payment]:
        """An invoice's payments (in `statuses`, meeting `where`), oldest first. `fresh` reads them as
        committed now, over what the session holds: for a read after the invoice's lock is taken."""
        stmt = select(Payment).where(Payment.group_id == invoice.group_id, Payment.invoice_id == invoice.id, *where)
        if statuses is not None:
            stmt = stmt.where(Payment.status.in_(statuses))
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return list(self.session.scalars(stmt.order_by(Payment.created_at, Payment.id)))

    def refunds_by_payment(self, payments: Sequence[Payment]) -> dict[uuid.UUID, list[Refund]]:
        """The refunds of these payments (of one practice), by payment."""
        grouped: dict[uuid.UUID, list[Refund]] = defaultdict(list)
        if payments:
            group_id, ids = payments[0].group_id, [p.id for p in payments]
            for refund in self.session.scalars(
                select(Refund)
                .where(Refund.group_id == group_id, Refund.payment_id.in_(ids))
                .order_by(Refund.created_at)
            ):
                grouped[refund.payment_id].append(refund)
        return grouped

    def disputes_of(self, invoice: Invoice) -> list[Dispute]:
        return list(
            self.session.scalars(
                select(Dispute)
                .join(Payment, Payment.id == Dispute.payment_id)
                .where(Dispute.group_id == invoice.group_id, Payment.invoice_id == invoice.id)
                .order_by(Dispute.created_at)
            )
        )

    def card_payments_in_flight(self, invoices: Sequence[Invoice]) -> list[Payment]:
        """Card payments of these invoices (of one practice) that Stripe may still charge
        (`shared.payments.card.in_flight`), current: read after the invoices' locks are held."""
        if not invoices:
            return []
        group_id, invoice_ids = invoices[0].group_id, [i.id for i in invoices]
        return list(
            self.session.scalars(
                select(Payment)
                .where(
                    Payment.group_id == group_id,
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

    def unconfirmed_card_payments(self, invoice: Invoice) -> list[Payment]:
        """Card payments a client opened but that have no PaymentIntent yet: nothing at Stripe can charge them."""
        return self.payments_of(
            invoice,
            Payment.method == "card",
            Payment.stripe_payment_intent_id.is_(None),
            statuses=("pending",),
            fresh=True,
        )

    def open_card_payments(self, invoice: Invoice) -> list[Payment]:
        """Card payments of an invoice not yet settled, oldest first. Read after the invoice lock is held."""
        return self.payments_of(invoice, Payment.method == "card", statuses=OPEN_CARD_STATUSES, fresh=True)
