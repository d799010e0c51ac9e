"""Put services into states other features create (invoiced, claimed by a run), straight in the database.

Invoicing is not what these tests are about; they only need a service that an invoice or a run holds.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from shared.billing.models import Service
from shared.db.engine import session_scope
from shared.invoicing.models import InvoicingRun
from shared.ledger.invoices import Invoice


def put_on_invoice(group_id: str, service_ids: list[str], status: str = "open") -> str:
    """A stand-in invoice holding these services (all of one client). Returns the invoice id."""
    ids = [uuid.UUID(s) for s in service_ids]
    with session_scope() as session:
        services = list(session.scalars(select(Service).where(Service.id.in_(ids))))
        total = sum(s.amount_cents - s.insurance_paid_cents for s in services)
        sequence = (
            session.scalar(select(func.max(Invoice.sequence)).where(Invoice.group_id == uuid.UUID(group_id))) or 0
        ) + 1
        paid = total if status == "paid" else 0
        invoice = Invoice(
            group_id=uuid.UUID(group_id),
            client_id=services[0].client_id,
            sequence=sequence,
            number=f"TEST-{sequence:06d}",
            invoiced_date=date(2026, 3, 31),
            currency="USD",
            total_cents=total,
            paid_cents=paid,
            balance_cents=total - paid,
            overpaid_cents=0,
            status=status,
        )
        session.add(invoice)
        session.flush()
        session.execute(update(Service).where(Service.id.in_(ids)).values(invoice_id=invoice.id))
        return str(invoice.id)


def claim_by_run(group_id: str | uuid.UUID, service_ids: list, **columns: Any) -> str:
    """A stand-in invoicing run that has claimed these services but not finished (as a crashed worker
    leaves one); `columns` set the rest of the row (status, lease, created_at). Returns the run id."""
    ids = [uuid.UUID(str(s)) for s in service_ids]
    row = {"status": "running", "invoiced_date": date(2026, 3, 31), "errors": [], **columns}
    with session_scope() as session:
        run = InvoicingRun(group_id=uuid.UUID(str(group_id)), service_ids=ids, **row)
        session.add(run)
        session.flush()
        session.execute(update(Service).where(Service.id.in_(ids)).values(claimed_by_run_id=run.id))
        return str(run.id)


def service_count(group_id: str) -> int:
    with session_scope() as session:
        return (
            session.scalar(select(func.count()).select_from(Service).where(Service.group_id == uuid.UUID(group_id)))
            or 0
        )
