"""The one task decorator: explicit dotted names and bounded retries with backoff and jitter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.tasks.celery_app import celery_app


def clinicpay_task(name: str, *, autoretry_for: tuple[type[BaseException], ...] = (), max_retries: int = 8,
                   acks_late: bool = True, **options: Any) -> Callable:
    """Register a task. Only transient errors belong in `autoretry_for`; the backoff is
    capped well under the broker's visibility timeout so a retry never runs twice."""
    return celery_app.task(
        name=name,
        bind=True,
        acks_late=acks_late,
        autoretry_for=autoretry_for,
        max_retries=max_retries,
        retry_backoff=2,
        retry_backoff_max=300,
        retry_jitter=True,
        **options,
    )
