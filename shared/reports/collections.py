"""Collected per month: the money a practice received each month — by card, by bank debit (ACH),
by hand (cash, cheque, other), from insurers — less what it refunded, for a chosen range of months.

A payment counts on its `received_date`: the day staff say it arrived, or for a card or bank
payment the day Stripe said it succeeded, on the practice's calendar (shared/payments/card.py). A
reversed manual payment was never received and counts nowhere; a refund counts, as money going
back, in the month it was made (its `created_at` in the practice's time zone) once it succeeded.
Two grouped queries read only the chosen months' rows, through partial indexes that hold exactly
the succeeded payments and refunds — never the practice's whole history.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.db.repository import practice_of
from shared.errors import ValidationFailed
from shared.groups.models import Group
from shared.ledger.due import practice_today
from shared.ledger.payments import Payment, Refund
from shared.reports.aging import csv_amount
from shared.reports.cache import cached, ledger_state

# What one answer may span: two years of months.
MAX_MONTHS = 24
DEFAULT_MONTHS = 12
KINDS = ("card", "ach", "manual", "insurance")
KIND_LABELS = {"card": "Card", "ach": "Bank debit (ACH)", "manual": "Cash, check, other", "insurance": "Insurance"}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class MonthCollected(BaseModel):
    month: str  # YYYY-MM
    card: int = 0
    ach: int = 0
    manual: int = 0
    insurance: int = 0
    refunds: int = 0
    net: int = 0


class CollectionsReportOut(BaseModel):
    currency: str
    from_month: str
    to_month: str
    months: list[MonthCollected]
    totals: MonthCollected


def parse_month(value: str | None, param: str) -> date | None:
    if value is None or value == "":
        return None
    match = _MONTH.match(value)
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValidationFailed("A month is written YYYY-MM, e.g. 2026-03.", code="invalid_month", param=param)
    return date(int(match[1]), int(match[2]), 1)


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_range(today: date, from_month: str | None, to_month: str | None) -> tuple[date, date]:
    """The first days of the first and last months asked for: by default the 12 up to this month."""
    end = parse_month(to_month, "to") or today.replace(day=1)
    start = parse_month(from_month, "from") or _add_months(end, 1 - DEFAULT_MONTHS)
    if start > end:
        raise ValidationFailed("`from` is after `to`.", code="month_range_reversed", param="from")
    if _months_between(start, end) > MAX_MONTHS:
        raise ValidationFailed(f"At most {MAX_MONTHS} months at once.", code="month_range_too_long", param="from")
    return start, end


def collections_report(
    session: Session, actor: Actor, from_month: str | None = None, to_month: str | None = None
) -> CollectionsReportOut:
    group_id = practice_of(actor)
    group = session.execute(select(Group.timezone, Group.currency).where(Group.id == group_id)).one()
    start, end = month_range(practice_today(group.timezone), from_month, to_month)
    after_end = _add_months(end, 1)

    kind = case(
        (Payment.method == "insurance", "insurance"),
        (Payment.method != "card", "manual"),
        (Payment.stripe_payment_method_type == "us_bank_account", "ach"),
        else_="card",
    )
    month = func.date_trunc("month", Payment.received_date)
    received = session.execute(
        select(month, kind, func.sum(Payment.amount_cents))
        .where(
            Payment.group_id == group_id,
            Payment.status == "succeeded",
            Payment.received_date >= start,
            Payment.received_date < after_end,
        )
        .group_by(month, kind)
    ).all()
    zone = ZoneInfo(group.timezone)
    refund_month = func.date_trunc("month", func.timezone(group.timezone, Refund.created_at))
    refunded = session.execute(
        select(refund_month, func.sum(Refund.amount_cents))
        .where(
            Refund.group_id == group_id,
            Refund.status == "succeeded",
            Refund.created_at >= datetime.combine(start, time(), zone),
            Refund.created_at < datetime.combine(after_end, time(), zone),
        )
        .group_by(refund_month)
    ).all()

    rows = {(_add_months(start, i)).strftime("%Y-%m"): MonthCollected(month=_add_months(start, i).strftime("%Y-%m"))
            for i in range(_months_between(start, end))}  # fmt: skip
    for when, what, cents in received:
        row = rows[when.strftime("%Y-%m")]
        setattr(row, what, getattr(row, what) + int(cents))
    for when, cents in refunded:
        rows[when.strftime("%Y-%m")].refunds += int(cents)
    for row in rows.values():
        row.net = sum(getattr(row, k) for k in KINDS) - row.refunds
    totals = MonthCollected(month="total")
    for field in (*KINDS, "refunds", "net"):
        setattr(totals, field, sum(getattr(r, field) for r in rows.values()))
    return CollectionsReportOut(
        currency=group.currency,
        from_month=start.strftime("%Y-%m"),
        to_month=end.strftime("%Y-%m"),
        months=list(rows.values()),
        totals=totals,
    )


def cached_collections(
    session: Session, actor: Actor, from_month: str | None, to_month: str | None, as_csv: bool = False
) -> tuple[str, str, str]:
    """The report as JSON (or CSV) and its first and last months, computed once per state of the
    practice's ledger (shared/reports/cache.py). A bad range is refused before the cache is asked."""
    state = ledger_state(session, practice_of(actor))
    first, last = (m.strftime("%Y-%m") for m in month_range(state.today, from_month, to_month))

    def compute() -> str:
        report = collections_report(session, actor, first, last)
        return collections_csv(report) if as_csv else report.model_dump_json()

    return cached(state, "collections", f"{'csv' if as_csv else 'json'}:{first}:{last}", compute), first, last


def collections_csv(report: CollectionsReportOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    c = report.currency
    writer.writerow(["Month", *(f"{KIND_LABELS[k]} ({c})" for k in KINDS), f"Refunds ({c})", f"Net ({c})"])
    for row in [*report.months, report.totals]:
        writer.writerow(
            [
                "All months" if row.month == "total" else row.month,
                *(csv_amount(getattr(row, k), c) for k in KINDS),
                csv_amount(row.refunds, c),
                csv_amount(row.net, c),
            ]
        )
    return out.getvalue()
