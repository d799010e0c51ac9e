"""A practice's invoices, read through the one tenant scope (shared/db/repository.py).

`lock_selection` is for a biller's action on several invoices at once (marking them paid): they are
locked in id order, so two selections that overlap queue up behind each other instead of deadlocking,
and re-read under the lock, so the rules see what the last writer committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from shared.db.arrays import any_id
from shared.db.repository import PracticeRepository, Whose
from shared.ledger.invoices import Invoice


class InvoiceRepository(PracticeRepository[Invoice]):
    model = Invoice
    noun = "invoice"
    param = "invoice_id"

    def lock_selection(self, whose: Whose, invoice_ids: Sequence[uuid.UUID]) -> list[Invoice]:
        """Those of `invoice_ids` that are the practice's invoices, locked, in id order."""
        if not invoice_ids:
            return []
        stmt = (
            self.scoped(whose)
            .where(Invoice.id == any_id(list(invoice_ids)))
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(stmt))
