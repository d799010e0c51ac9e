"""The one task decorator: explicit dotted names and bounded retries with backoff and jitter
(the policy is shared/tasks/retry.py's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.tasks.celery_app import celery_app
from shared.tasks.retry import TASK, RetryPolicy


def clinicpay_task(
    name: str,
    *,
    autoretry_for: tuple[type[BaseException], ...] = (),
    policy: RetryPolicy = TASK,
    acks_late: bool = True,
    **options: Any,
) -> Callable:
    """Register a task. Only transient errors (retry.TRANSIENT_ERRORS and their kin) belong in
    `autoretry_for`. Celery computes the policy's formula for those retries — min(cap, base · 2ⁿ),
    full jitter — and a task that retries by hand asks `policy.delay()` for its countdown."""
    return celery_app.task(
        name=name,
        bind=True,
        acks_late=acks_late,
        autoretry_for=autoretry_for,
        max_retries=policy.max_retries,
        retry_backoff=int(policy.base),
        retry_backoff_max=int(policy.cap),
        retry_jitter=True,
        **options,
    )
