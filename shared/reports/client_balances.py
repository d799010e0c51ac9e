"""What each client owes and when they last had something happen, for the staff's Clients page.

Read for one page of clients at a time (at most the list's limit), in two grouped queries over the
invoices and payments of just those clients: the balance is the sum of their open and partly paid
invoices' own balances (so it agrees, to the cent, with the aging report and the ledger), and the
last activity is the newest invoice issued or payment recorded for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.ledger.due import OWING_STATUSES
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment


@dataclass(frozen=True)
class ClientActivity:
    balance_cents: int = 0
    open_invoice_count: int = 0
    last_activity_at: datetime | None = None


def client_activity(
    session: Session, group_id: uuid.UUID, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ClientActivity]:
    ids = list(set(client_ids))
    if not ids:
        return {}
    owing = Invoice.status.in_(OWING_STATUSES)
    invoices = session.execute(
        select(
            Invoice.client_id,
            func.coalesce(func.sum(Invoice.balance_cents).filter(owing), 0),
            func.count().filter(owing),
            func.max(Invoice.created_at),
        )
        .where(Invoice.group_id == group_id, Invoice.client_id.in_(ids))
        .group_by(Invoice.client_id)
    ).all()
    payments = dict(
        session.execute(
            select(Invoice.client_id, func.max(Payment.created_at))
            .join(Payment, Payment.invoice_id == Invoice.id)
            .where(Invoice.group_id == group_id, Invoice.client_id.in_(ids))
            .group_by(Invoice.client_id)
        )
        .tuples()
        .all()
    )
    found: dict[uuid.UUID, ClientActivity] = {}
    for client_id, balance, open_count, last_invoice in invoices:
        last = max(filter(None, (last_invoice, payments.get(client_id))), default=None)
        found[client_id] = ClientActivity(int(balance), int(open_count), last)
    return found
