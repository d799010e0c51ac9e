"""When an invoice is due, and whether it is overdue: the practice's payment terms, in its time zone.

An invoice's due date is fixed when it is issued — from the date the biller chose in the invoicing
run, else from the practice's terms at the moment the run was created — and never moves after: a
change of terms applies to invoices issued from then on. An invoice is overdue once the practice's
own calendar (its time zone, not the server's) has passed the due date while money is still owed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, literal, select
from sqlalchemy.orm import Session

from shared.groups.models import Group
from shared.groups.terms import DAYS_TO_PAY

# A due date chosen in a run: on or after the invoiced date, and within a year of it.
MAX_DAYS_TO_PAY = 366

# Statuses in which the client still owes something (a void or paid invoice is never overdue).
OWING_STATUSES = ("open", "partially_paid")


def due_date_for(invoiced_date: date, terms: str) -> date:
    return invoiced_date + timedelta(days=DAYS_TO_PAY[terms])


def practice_today_of(session: Session, group_id: uuid.UUID) -> date:
    """Today on the practice's calendar: what "overdue" is measured against, and the day money a
    card or bank debit brought is counted as collected."""
    return practice_today(session.execute(select(Group.timezone).where(Group.id == group_id)).scalar_one())


def practice_today(timezone: str, now: datetime | None = None) -> date:
    """The date on the practice's wall calendar."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


def is_overdue(status: str, due_date: date, today: date) -> bool:
    return status in OWING_STATUSES and due_date < today


def days_overdue(status: str, due_date: date, today: date) -> int:
    return (today - due_date).days if is_overdue(status, due_date, today) else 0


def overdue_column(status: ColumnElement[str], due_date: ColumnElement[date], today: date) -> ColumnElement[bool]:
    """`is_overdue` as a column of a list's rows, so a page of invoices is one query."""
    return and_(status.in_(OWING_STATUSES), due_date < literal(today)).label("overdue")
