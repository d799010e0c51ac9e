"""A/R aging: each client's open balance by how long it has been past due, as of the practice's today.

The buckets are days past the invoice's due date (shared/ledger/due.py): `current` (not yet
due, or due today), 1–30, 31–60, 61–90 and over 90. The figures are the invoices' own balances, so
the report's total is, to the cent, what the ledger says is owed (the sum of `balance_cents` of the
practice's open and partly paid invoices). One grouped query reads only the open invoices — the
partial index `ix_invoices_group_owing_due` holds exactly those — never the practice's history.

The answer lists the clients with the largest balances (`limit`, 100 unless asked), with the totals
and the count of every client who owes: a practice with 10,000 clients in arrears gets its totals and
the top of the list, not a 10,000-row answer on every page view. The CSV lists every client.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.clients.models import Client
from shared.db.repository import practice_of
from shared.groups.models import Group
from shared.ledger.currency import minor_unit_exponent
from shared.ledger.due import OWING_STATUSES, practice_today
from shared.ledger.invoices import Invoice
from shared.reports.cache import cached, ledger_state

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
BUCKET_LABELS = {
    "current": "Current",
    "days_1_30": "1-30 days",
    "days_31_60": "31-60 days",
    "days_61_90": "61-90 days",
    "days_over_90": "Over 90 days",
}


class AgingAmounts(BaseModel):
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    days_over_90: int = 0
    total: int = 0
    invoice_count: int = 0


class AgingClientRow(AgingAmounts):
    client_id: uuid.UUID
    client_name: str
    oldest_due_date: date


# Clients per answer of GET /v1/reports/aging: the default, and the most that may be asked for.
DEFAULT_CLIENTS = 100
MAX_CLIENTS = 1000


class AgingReportOut(BaseModel):
    as_of: date
    currency: str
    # Over every client who owes something.
    totals: AgingAmounts
    # The clients who owe something, the largest balance first: at most the `limit` asked for.
    clients: list[AgingClientRow]
    # How many clients owe something; `has_more` when `clients` is not all of them.
    client_count: int = 0
    has_more: bool = False


def _bucket_conditions(today: date) -> dict[str, ColumnElement[bool]]:
    def days_ago(n: int) -> date:
        return today - timedelta(days=n)

    due = Invoice.due_date
    return {
        "current": due >= today,
        "days_1_30": due.between(days_ago(30), days_ago(1)),
        "days_31_60": due.between(days_ago(60), days_ago(31)),
        "days_61_90": due.between(days_ago(90), days_ago(61)),
        "days_over_90": due < days_ago(90),
    }


_AMOUNTS = (*BUCKETS, "total", "invoice_count")


def aging_report(session: Session, actor: Actor, limit: int | None = DEFAULT_CLIENTS) -> AgingReportOut:
    """`limit`: how many clients to list (the largest balances); None lists every one (the CSV)."""
    group_id = practice_of(actor)
    group = session.execute(select(Group.timezone, Group.currency).where(Group.id == group_id)).one()
    today = practice_today(group.timezone)
    sums = [
        func.coalesce(func.sum(Invoice.balance_cents).filter(condition), 0).label(bucket)
        for bucket, condition in _bucket_conditions(today).items()
    ]
    per_client = (
        select(
            Client.id.label("client_id"),
            Client.name.label("client_name"),
            *sums,
            func.sum(Invoice.balance_cents).label("total"),
            func.count().label("invoice_count"),
            func.min(Invoice.due_date).label("oldest_due_date"),
        )
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.group_id == group_id, Invoice.status.in_(OWING_STATUSES), Invoice.balance_cents > 0)
        .group_by(Client.id, Client.name)
        .subquery()
    )
    # One pass: the window sums run over every client's row before LIMIT keeps the largest.
    everyone = [func.sum(per_client.c[field]).over().label(f"all_{field}") for field in _AMOUNTS]
    stmt = (
        select(per_client, func.count().over().label("client_count"), *everyone)
        .order_by(per_client.c.total.desc(), per_client.c.client_name, per_client.c.client_id)
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    clients = [AgingClientRow.model_validate(row._asdict()) for row in rows]
    first = rows[0] if rows else None
    totals = AgingAmounts(**{field: int(getattr(first, f"all_{field}")) if first else 0 for field in _AMOUNTS})
    count = first.client_count if first else 0
    return AgingReportOut(
        as_of=today,
        currency=group.currency,
        totals=totals,
        clients=clients,
        client_count=count,
        has_more=count > len(clients),
    )


def cached_aging_json(session: Session, actor: Actor, limit: int) -> str:
    """`aging_report` as JSON, computed once per state of the practice's ledger (shared/reports/cache.py)."""
    state = ledger_state(session, practice_of(actor))
    return cached(state, "aging", f"json:{limit}", lambda: aging_report(session, actor, limit).model_dump_json())


def cached_aging_csv(session: Session, actor: Actor) -> tuple[str, date]:
    """Every client who owes, as CSV, and the day it is as of."""
    state = ledger_state(session, practice_of(actor))
    return cached(state, "aging", "csv", lambda: aging_csv(aging_report(session, actor, limit=None))), state.today


def csv_amount(cents: int, currency: str) -> str:
    """A plain decimal in the currency's major unit (150.00, ¥1200 as 1200): what a spreadsheet sums."""
    exponent = minor_unit_exponent(currency)
    if not exponent:
        return str(cents)
    whole, fraction = divmod(cents, 10**exponent)
    return f"{whole}.{fraction:0{exponent}d}"


def csv_cell(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ (or a tab or return) as a formula: a client
    named "=HYPERLINK(…)" must read as text, so such a cell gets a leading apostrophe (OWASP)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def aging_csv(report: AgingReportOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    currency = report.currency
    writer.writerow(
        ["Client", *(f"{BUCKET_LABELS[b]} ({currency})" for b in BUCKETS), f"Total ({currency})", "Invoices",
         "Oldest due date"]
    )  # fmt: skip
    for row in report.clients:
        writer.writerow(
            [
                csv_cell(row.client_name),
                *(csv_amount(getattr(row, b), currency) for b in BUCKETS),
                csv_amount(row.total, currency),
                row.invoice_count,
                row.oldest_due_date.isoformat(),
            ]
        )
    t = report.totals
    writer.writerow(
        ["All clients", *(csv_amount(getattr(t, b), currency) for b in BUCKETS), csv_amount(t.total, currency),
         t.invoice_count, ""]
    )  # fmt: skip
    return out.getvalue()
