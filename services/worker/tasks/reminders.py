"""Payment reminders: beat's run that writes the reminders whose step has come (shared/reminders)."""

from __future__ import annotations

from datetime import datetime

from shared.jobs import reminders
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import NO_RETRY


@clinicpay_task(names.WRITE_DUE_REMINDERS, policy=NO_RETRY, acks_late=False)
def write_due(self, now: str | None = None) -> int:
    # No retry: the next run, ten minutes on, writes whatever this one did not (every step is written once).
    return reminders.write_due_reminders(datetime.fromisoformat(now) if now else None)
