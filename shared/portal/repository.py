"""The client's own invoices. Every query here is scoped to one group AND one client."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select

from shared.db.repository import Repository, Whose, practice_of
from shared.ledger.invoices import Invoice

UNPAID_STATUSES = ("open", "partially_paid")


class PortalRepository(Repository):
    def unpaid_totals(self, whose: Whose, client_id: uuid.UUID) -> tuple[int, int]:
        group_id = practice_of(whose)
        count, balance = self.session.execute(
            select(func.count(), func.coalesce(func.sum(Invoice.balance_cents), 0)).where(
                Invoice.group_id == group_id, Invoice.client_id == client_id, Invoice.status.in_(UNPAID_STATUSES)
            )
        ).one()
        return int(count), int(balance)

    def visible_invoices(self, whose: Whose, client_id: uuid.UUID, columns: Sequence[Any]) -> Select:
        """The invoices' `columns`, paid and unpaid; a voided invoice was withdrawn by the practice and leaves
        the client's list."""
        group_id = practice_of(whose)
        return select(*columns).where(
            Invoice.group_id == group_id, Invoice.client_id == client_id, Invoice.status != "void"
        )
