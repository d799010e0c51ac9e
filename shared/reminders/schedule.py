"""The reminder schedule's rules, pure: no database, no clock but the one passed in.

A practice's schedule is a list of offsets in days from an invoice's due date (negative: before
it), e.g. [-3, 0, 7, 14, 30]. Each offset is a *step*; a step's day is due date + offset, on the
practice's own calendar (its time zone).

- **A step counts only after the invoice was issued.** Its day must come after the day the invoice
  was issued (created, not its invoiced date): a backdated invoice would otherwise get a "was due
  30 days ago" right behind its invoice email.
- **Only the latest step that has come is sent.** Earlier steps that were missed (beat down for a
  day, reminders switched on for old invoices) are not sent on top of it: a client never gets a burst.
- **Never two for one day.** A step counts only after the day the invoice was last reminded, too: a
  schedule changed after today's reminder went (7 → 6, say) does not send a second one today, nor the
  new step's on the next day — only a step whose day is still to come.
- **Once per step.** The step's message has the dedupe key `reminder:<invoice>:<offset>` on the outbox's
  unique (practice, dedupe key): beat run twice, or late, or by two schedulers at once, writes one.
- **Quiet hours** are a span of the practice's local hours [start, end) in which nothing is sent,
  wrapping midnight when start > end (20 → 8 is 8 pm to 8 am); start == end means none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# What a practice may set (and its defaults) is the practice's: shared/groups/reminder_settings.py.


def due_step(
    offsets: Sequence[int], due_date: date, issued_on: date, today: date, last_reminded_on: date | None = None
) -> int | None:
    """The offset of the reminder to send today, if any: the latest step whose day has come (≤ today)
    and came after the day the invoice was issued and after the day it was last reminded."""
    after = max(issued_on, last_reminded_on) if last_reminded_on else issued_on
    came = [o for o in offsets if after < due_date + timedelta(days=o) <= today]
    return max(came) if came else None


def dedupe_key(invoice_id: uuid.UUID, offset: int) -> str:
    return f"reminder:{invoice_id}:{offset}"


def in_quiet_hours(local: datetime, start_hour: int, end_hour: int) -> bool:
    hour = local.hour
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def quiet_hours_end(local: datetime, start_hour: int, end_hour: int) -> datetime:
    """When the quiet hours `local` is in end (a moment in the same zone); `local` itself when it is
    not in quiet hours. Built on the wall clock, so a daylight-saving change moves nothing."""
    if not in_quiet_hours(local, start_hour, end_hour):
        return local
    end_day = local.date() if local.hour < end_hour else local.date() + timedelta(days=1)
    return datetime.combine(end_day, time(end_hour), tzinfo=local.tzinfo)


def seconds_until_quiet_hours_end(now: datetime, timezone: str, start_hour: int, end_hour: int) -> float:
    local = now.astimezone(ZoneInfo(timezone))
    # Subtracted in UTC: two times of one zone subtract on the wall clock, blind to a DST change between.
    end = quiet_hours_end(local, start_hour, end_hour).astimezone(UTC)
    return max(0.0, (end - now.astimezone(UTC)).total_seconds())


def due_words(offset_days_from_due: int) -> str:
    """How the reminder says when the invoice is due, from the client's today: "is due in 3 days",
    "is due today", "was due yesterday", "was due 7 days ago"."""
    n = offset_days_from_due
    if n < 0:
        return "is due tomorrow" if n == -1 else f"is due in {-n} days"
    if n == 0:
        return "is due today"
    return "was due yesterday" if n == 1 else f"was due {n} days ago"
