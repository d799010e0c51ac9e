"""Queries of the client portal's card flow, always scoped to the signed-in client's own invoices."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from shared.clients.models import Client
from shared.db.repository import Repository, Whose, practice_of
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment


class PortalPaymentRepository(Repository):
    def client_card_payment(self, payment_id: uuid.UUID, whose: Whose, client_id: uuid.UUID) -> Payment | None:
        group_id = practice_of(whose)
        payment = self.client_payment(payment_id, group_id, client_id)
        return payment if payment is not None and payment.method == "card" else None

    def client_payment(self, payment_id: uuid.UUID, whose: Whose, client_id: uuid.UUID) -> Payment | None:
        """A payment of any method on one of this client's invoices in this practice, else None."""
        group_id = practice_of(whose)
        return self.session.scalar(
            select(Payment)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(
                Payment.id == payment_id,
                Payment.group_id == group_id,
                Invoice.client_id == client_id,
                Invoice.group_id == group_id,
            )
        )

    def payment_by_confirmation_token(self, token_id: str) -> Payment | None:
        """Whichever payment (of any practice) a ConfirmationToken was used for: a token pays once."""
        return self.session.scalar(select(Payment).where(Payment.stripe_confirmation_token_id == token_id))

    def reload(self, payment: Payment) -> Payment:
        """The payment as committed (read again after its invoice's lock is held)."""
        stmt = select(Payment).where(Payment.group_id == payment.group_id, Payment.id == payment.id)
        return self.session.scalars(stmt.execution_options(populate_existing=True)).one()

    def lock_client(self, client_id: uuid.UUID, whose: Whose) -> Client:
        """Locked so two first payments of one client create one Stripe customer, not two."""
        group_id = practice_of(whose)
        return self.session.scalars(
            select(Client)
            .where(Client.id == client_id, Client.group_id == group_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
