"""The beat schedule, all in one place. Sweeps and reconciliation only, never the fast path."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab

from shared.tasks import names


def _every(task: str, interval: timedelta | crontab) -> dict:
    """An entry that expires at 1.5x its interval: a sweep beat sent while the workers were away is
    dropped instead of run late, so a backlog of identical sweeps never piles up."""
    seconds = interval.total_seconds() if isinstance(interval, timedelta) else _crontab_seconds(interval)
    return {"task": task, "schedule": interval, "options": {"expires": int(seconds * 1.5)}}


def _crontab_seconds(schedule: crontab) -> float:
    # The gap between two runs of an every-N-minutes crontab (the only kind this schedule uses).
    minutes = sorted(schedule.minute)
    step = minutes[1] - minutes[0] if len(minutes) > 1 else 60
    return step * 60.0


BEAT_SCHEDULE: dict[str, dict] = {
    # Every 15 s, not crontab: crontab's finest step is one minute, and a Stripe event the
    # broker lost should reach the ledger in seconds, not minutes. The sweep is one indexed query.
    "sweep-stripe-events": _every(names.SWEEP_STRIPE_EVENTS, timedelta(seconds=15)),
    # Every 10 s, not crontab (whose finest step is a minute): a run whose worker was killed must
    # be taken up again within a minute of its 30 s lease expiring. One query on a partial index.
    "sweep-invoicing-runs": _every(names.SWEEP_INVOICING_RUNS, timedelta(seconds=10)),
    # Every 15 s: an email whose task was lost or whose worker died goes out within a minute of its
    # 30 s lease expiring. One query on a partial index of pending rows.
    "sweep-outbox": _every(names.SWEEP_OUTBOX, timedelta(seconds=15)),
    # Every 10 min: a reminder's step is a day on the practice's calendar, so the first run after its
    # quiet hours end (or after midnight, for practices without) sends that day's. Each run reads only
    # the practice's owing invoices whose first step has come, and writes nothing already written.
    "write-due-reminders": _every(names.WRITE_DUE_REMINDERS, timedelta(minutes=10)),
    # Every 30 s, not crontab: a refund staff asked for while Stripe was unreachable (or whose request
    # died before Stripe answered) is sent again, with the same idempotency key, soon after.
    "send-unsent-refunds": _every(names.SEND_UNSENT_REFUNDS, timedelta(seconds=30)),
    # Catch up with Stripe for every connected practice, in case a webhook never came.
    "reconcile-groups": _every(names.SCHEDULE_RECONCILIATIONS, crontab(minute="*/5")),
    "sweep-reconciliations": _every(names.SWEEP_RECONCILIATIONS, crontab(minute="*")),
}
