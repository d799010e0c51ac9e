"""A practice's reminder settings, as it may set them: the days reminders go (offsets from an
invoice's due date) and its quiet hours. The rules that apply them are shared/reminders/schedule.py."""

from __future__ import annotations

from collections.abc import Sequence

# At most MAX_STEPS offsets, each within [EARLIEST_OFFSET, LATEST_OFFSET] days of the due date.
MAX_STEPS = 10
EARLIEST_OFFSET = -30
LATEST_OFFSET = 365
# New practices start with these (the migration leaves practices that existed before reminders off).
DEFAULT_SCHEDULE = (-3, 0, 7, 14, 30)
DEFAULT_QUIET_START_HOUR = 20
DEFAULT_QUIET_END_HOUR = 8


def check_schedule(offsets: Sequence[int]) -> list[int]:
    """The schedule as stored: sorted, each offset once. Raises ValueError naming what is wrong."""
    if len(offsets) > MAX_STEPS:
        raise ValueError(f"at most {MAX_STEPS} reminders")
    if len(set(offsets)) != len(offsets):
        raise ValueError("each day may be named once")
    for offset in offsets:
        if not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
            raise ValueError(
                f"each reminder is between {-EARLIEST_OFFSET} days before the due date and {LATEST_OFFSET} days after it"
            )
    return sorted(offsets)
