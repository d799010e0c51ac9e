"""Invoices: `make_invoice` writes an open invoice straight to the database (for tests not about
invoicing); `start_run` / `wait_for_run` / `invoice` run invoicing over HTTP as a biller does.
Also what the PDF renderer is given (`invoice_document`) and what the tests read back about invoices."""

from __future__ import annotations

import io
import uuid
from datetime import date
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import func, select

from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.invoicing.models import InvoicingRun
from shared.invoicing.pdf import InvoiceDocument, LineView
from shared.ledger.invoices import Invoice, InvoiceLine
from tests.conftest import poll_until
from tests.factories.practices import PracticeRow


def make_invoice(
    group_id: str | uuid.UUID,
    client_id: str | uuid.UUID,
    total_cents: int = 12_000,
    *,
    invoiced_date: date = date(2026, 3, 31),
    with_line: bool = True,
) -> str:
    """An open invoice, numbered from the practice's sequence as an invoicing run numbers it, with one
    line for the whole total (`with_line=False`: no line). Returns its id as a string."""
    gid = uuid.UUID(str(group_id))
    with session_scope() as session:
        group = session.get(Group, gid)
        sequence = session.scalar(select(InvoiceSequence).where(InvoiceSequence.group_id == gid).with_for_update())
        number = sequence.next_number
        sequence.next_number += 1
        invoice = Invoice(
            group_id=gid,
            client_id=uuid.UUID(str(client_id)),
            sequence=number,
            number=f"{group.invoice_prefix}{number:06d}",
            invoiced_date=invoiced_date,
            currency=group.currency,
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
        if with_line:
            session.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    position=1,
                    service_date=date(2026, 3, 2),
                    description="Individual session (self-pay)",
                    amount_cents=total_cents,
                    insurance_paid_cents=0,
                    client_part_cents=total_cents,
                )
            )
        return str(invoice.id)


# --- the biller's invoicing runs over HTTP (practices from `make_practice(staff=True)`) ---


def start_run(
    http: httpx.Client, practice: PracticeRow, service_ids: list[Any], invoiced_date: str = "2026-04-01"
) -> httpx.Response:
    return http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [str(i) for i in service_ids], "invoiced_date": invoiced_date},
    )


def wait_for_run(http: httpx.Client, practice: PracticeRow, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        run = http.get(f"/v1/invoicing/runs/{run_id}", headers=practice.biller).json()
        return run if run["status"] in ("succeeded", "failed") else None

    return poll_until(finished, timeout=timeout, interval=0.1, message=f"invoicing run {run_id} to finish")


def invoice(http: httpx.Client, practice: PracticeRow, services: list[Any], invoiced_date: str = "2026-04-01") -> dict:
    """Run invoicing on `services` and wait for it to succeed. Returns the finished run."""
    r = start_run(http, practice, services, invoiced_date)
    assert r.status_code == 202, r.text
    run = wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    return run


# --- what the tests read back, straight from the database ---


def invoice_document(**overrides: Any) -> InvoiceDocument:
    """What the PDF renderer is given for a one-line open $150.00 invoice of Ada Lovelace's, with `overrides`."""
    fields: dict[str, Any] = {
        "practice_name": "Calm Therapy",
        "client_name": "Ada Lovelace",
        "number": "INV-000042",
        "invoiced_date": date(2026, 4, 1),
        "currency": "USD",
        "total_cents": 15_000,
        "balance_cents": 15_000,
        "status": "open",
        "portal_url": "https://portal.example/portal/",
        "pay_online": True,
        "lines": [LineView(date(2026, 3, 2), "General Service (Self-Pay)", 15_000, 0, 15_000)],
        "payments": [],
    }
    return InvoiceDocument(**(fields | overrides))


def date_of(value: str) -> date:
    return date.fromisoformat(value)


def pdf_text(content: bytes) -> str:
    """The text a reader of the PDF sees."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def run_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(InvoicingRun))


def invoice_sequences(group_id: uuid.UUID) -> list[int]:
    with session_scope() as session:
        return sorted(session.scalars(select(Invoice.sequence).where(Invoice.group_id == group_id)))


def invoice_state(invoice_id: str | uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        inv = session.get(Invoice, uuid.UUID(str(invoice_id)))
        return {
            "status": inv.status,
            "paid_cents": inv.paid_cents,
            "balance_cents": inv.balance_cents,
            "overpaid_cents": inv.overpaid_cents,
            "disputed": inv.disputed,
            "total_cents": inv.total_cents,
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
