"""The reminder schedule's rules, without a database: which step is due, quiet hours, the words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.groups.reminder_settings import check_schedule
from shared.reminders.schedule import (
    due_step,
    due_words,
    in_quiet_hours,
    quiet_hours_end,
    seconds_until_quiet_hours_end,
)

SCHEDULE = [-3, 0, 7, 14, 30]
DUE = date(2026, 5, 20)
ISSUED = date(2026, 5, 1)


def day(n: int) -> date:
    return DUE + timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "step"),
    [
        (day(-4), None),  # before the first step
        (day(-3), -3),
        (day(-1), -3),
        (day(0), 0),
        (day(6), 0),
        (day(7), 7),
        (day(29), 14),
        (day(30), 30),
        (day(400), 30),  # long after the last: still the last (its message is written once)
    ],
)
def test_the_step_due_is_the_latest_that_has_come(today, step):
    assert due_step(SCHEDULE, DUE, ISSUED, today) == step


def test_steps_on_or_before_the_day_of_issue_never_count():
    # A backdated invoice, issued on its due date + 10: the -3, 0 and 7 steps were before it existed.
    issued = day(10)
    assert due_step(SCHEDULE, DUE, issued, day(10)) is None
    assert due_step(SCHEDULE, DUE, issued, day(13)) is None
    assert due_step(SCHEDULE, DUE, issued, day(14)) == 14
    # Issued on the day of a step: that step is the invoice email's own day, not a reminder's.
    assert due_step(SCHEDULE, DUE, day(0), day(0)) is None
    assert due_step([], DUE, ISSUED, day(30)) is None


def test_steps_on_or_before_the_day_of_the_last_reminder_never_count():
    # Reminded on the 7-day step; then the schedule changed to hold a 6-day step.
    changed = [-3, 0, 6, 14]
    assert due_step(changed, DUE, ISSUED, day(7), last_reminded_on=day(7)) is None
    assert due_step(changed, DUE, ISSUED, day(8), last_reminded_on=day(7)) is None
    assert due_step(changed, DUE, ISSUED, day(14), last_reminded_on=day(7)) == 14
    assert due_step(changed, DUE, ISSUED, day(7)) == 6  # without it, the second reminder of the day


@pytest.mark.parametrize(
    ("offsets", "error"),
    [
        (list(range(11)), "at most 10"),
        ([7, 7], "once"),
        ([-31], "between"),
        ([366], "between"),
    ],
)
def test_a_schedule_a_practice_cannot_have_is_refused(offsets, error):
    with pytest.raises(ValueError, match=error):
        check_schedule(offsets)


def test_a_schedule_is_stored_sorted():
    assert check_schedule([30, -3, 7, 0]) == [-3, 0, 7, 30]
    assert check_schedule([]) == []
    assert check_schedule([-30, 365]) == [-30, 365]


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 1, hour, minute, tzinfo=ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(
    ("hour", "quiet"),
    [(19, False), (20, True), (23, True), (0, True), (7, True), (8, False), (12, False)],
)
def test_quiet_hours_wrap_midnight(hour, quiet):
    assert in_quiet_hours(_at(hour, 59), 20, 8) is quiet


def test_quiet_hours_within_a_day_and_none():
    assert in_quiet_hours(_at(13), 12, 14) and not in_quiet_hours(_at(14), 12, 14)
    assert not any(in_quiet_hours(_at(h), 9, 9) for h in range(24))  # start == end: none


def test_quiet_hours_end_at_the_next_end_hour_on_the_wall_clock():
    assert quiet_hours_end(_at(22, 30), 20, 8) == datetime(2026, 6, 2, 8, tzinfo=ZoneInfo("America/Chicago"))
    assert quiet_hours_end(_at(3), 20, 8) == datetime(2026, 6, 1, 8, tzinfo=ZoneInfo("America/Chicago"))
    assert quiet_hours_end(_at(12), 20, 8) == _at(12)  # not in quiet hours: now


def test_the_wait_until_quiet_hours_end_counts_real_seconds_across_a_clock_change():
    # 10 pm on the night US clocks spring forward: 8 am comes 9 real hours later, not 10.
    new_york = ZoneInfo("America/New_York")
    night = datetime(2026, 3, 7, 22, 0, tzinfo=new_york).astimezone(UTC)
    assert seconds_until_quiet_hours_end(night, "America/New_York", 20, 8) == 9 * 3600
    noon = datetime(2026, 3, 9, 12, 0, tzinfo=new_york).astimezone(UTC)
    assert seconds_until_quiet_hours_end(noon, "America/New_York", 20, 8) == 0


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (-3, "is due in 3 days"),
        (-1, "is due tomorrow"),
        (0, "is due today"),
        (1, "was due yesterday"),
        (30, "was due 30 days ago"),
    ],
)
def test_the_reminder_says_when_it_is_due_in_words(days, words):
    assert due_words(days) == words
