"""Beat's run that writes the payment reminders whose step has come (the rules: shared/reminders)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shared.jobs import transaction
from shared.logging import get_logger
from shared.reminders import schedule, service

log = get_logger(__name__)


def write_due_reminders(now: datetime | None = None) -> int:
    """Every practice with a schedule that is not in its quiet hours at `now`: the reminders due today,
    one transaction per practice. Returns how many messages were written. `now` is the test's clock."""
    now = now or datetime.now(UTC)
    with transaction() as session:
        practices = service.practices_with_schedule(session)
    written = 0
    for practice in practices:
        local = now.astimezone(ZoneInfo(practice.timezone))
        if schedule.in_quiet_hours(local, practice.reminder_quiet_start_hour, practice.reminder_quiet_end_hour):
            continue  # the first run after the quiet hours end sends today's
        try:
            with transaction() as session:
                written += service.write_for_practice(session, practice.id, now)
        except Exception:
            # One practice's failure (its data, a lost connection) must not hold back the others' reminders;
            # the next run, ten minutes on, tries it again.
            log.exception("reminders_practice_failed", group_id=str(practice.id))
    if written:
        log.info("reminders_written", count=written, practices=len(practices))
    return written
