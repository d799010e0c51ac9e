"""The beat schedule, all in one place. Sweeps and reconciliation only, never the fast path.

Each entry expires at about 1.5x its interval so a backlog never piles up."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab

from shared.tasks import names

BEAT_SCHEDULE: dict[str, dict] = {
    # Every 15 s, not crontab: crontab's finest step is one minute, and a Stripe event the
    # broker lost should reach the ledger in seconds, not minutes. The sweep is one indexed query.
    "sweep-stripe-events": {
        "task": names.SWEEP_STRIPE_EVENTS,
        "schedule": timedelta(seconds=15),
        "options": {"expires": 22},
    },
    # Every 10 s, not crontab (whose finest step is a minute): a run whose worker was killed must
    # be taken up again within a minute of its 30 s lease expiring. One query on a partial index.
    "sweep-invoicing-runs": {
        "task": names.SWEEP_INVOICING_RUNS,
        "schedule": timedelta(seconds=10),
        "options": {"expires": 15},
    },
    # Every 15 s: an email whose task was lost or whose worker died goes out within a minute of its
    # 30 s lease expiring. One query on a partial index of pending rows.
    "sweep-outbox": {
        "task": names.SWEEP_OUTBOX,
        "schedule": timedelta(seconds=15),
        "options": {"expires": 22},
    },
    # Every 10 min: a reminder's step is a day on the practice's calendar, so the first run after its
    # quiet hours end (or after midnight, for practices without) sends that day's. Each run reads only
    # the practice's owing invoices whose first step has come, and writes nothing already written.
    "write-due-reminders": {
        "task": names.WRITE_DUE_REMINDERS,
        "schedule": timedelta(minutes=10),
        "options": {"expires": 900},
    },
    # Every 30 s, not crontab: a refund staff asked for while Stripe was unreachable (or whose request
    # died before Stripe answered) is sent again, with the same idempotency key, soon after.
    "send-unsent-refunds": {
        "task": names.SEND_UNSENT_REFUNDS,
        "schedule": timedelta(seconds=30),
        "options": {"expires": 45},
    },
    # Catch up with Stripe for every connected practice, in case a webhook never came.
    "reconcile-groups": {
        "task": names.SCHEDULE_RECONCILIATIONS,
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 450},
    },
    "sweep-reconciliations": {
        "task": names.SWEEP_RECONCILIATIONS,
        "schedule": crontab(minute="*"),
        "options": {"expires": 90},
    },
}
