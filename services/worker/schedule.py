"""The beat schedule, all in one place. Sweeps and reconciliation only, never the fast path.

Each entry expires at about 1.5x its interval so a backlog never piles up."""

from __future__ import annotations

from celery.schedules import crontab

from shared.tasks import names

BEAT_SCHEDULE: dict[str, dict] = {}
