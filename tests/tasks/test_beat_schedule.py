"""The beat schedule (services/worker/schedule.py): every sweep expires at 1.5x its interval, so a beat
sent while no worker was listening is dropped rather than queued behind the next one."""

from __future__ import annotations

from datetime import timedelta

from services.worker.schedule import BEAT_SCHEDULE
from shared.tasks import names

# Written out, not computed: the figures operators read in Flower.
EXPIRES = {
    "sweep-stripe-events": 22,
    "sweep-invoicing-runs": 15,
    "sweep-outbox": 22,
    "write-due-reminders": 900,
    "send-unsent-refunds": 45,
    "reconcile-groups": 450,
    "sweep-reconciliations": 90,
}


def test_each_entry_expires_at_one_and_a_half_intervals() -> None:
    assert {name: entry["options"]["expires"] for name, entry in BEAT_SCHEDULE.items()} == EXPIRES


def test_each_entry_names_a_registered_task() -> None:
    registered = {value for key, value in vars(names).items() if key.isupper() and isinstance(value, str)}
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= registered


def test_the_fast_sweeps_run_in_seconds_not_minutes() -> None:
    # A Stripe event the broker lost reaches the ledger within seconds; crontab could not do that.
    assert BEAT_SCHEDULE["sweep-stripe-events"]["schedule"] == timedelta(seconds=15)
    assert BEAT_SCHEDULE["sweep-invoicing-runs"]["schedule"] == timedelta(seconds=10)
