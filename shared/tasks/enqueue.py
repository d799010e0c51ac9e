"""Send tasks only after the transaction that needs them commits.

Domain code calls `enqueue_after_commit(name, ...)`; the boundary that commits
(API session dependency, worker task wrapper, `session_scope`) calls
`flush_after_commit()` after COMMIT, or `discard_pending()` on rollback. A send
that fails (broker down) is logged and dropped: the row it concerns is in the
database and a beat sweeper sends it again.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class _PendingTask:
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    countdown: float | None = None


_pending: ContextVar[list[_PendingTask] | None] = ContextVar("clinicpay_pending_tasks", default=None)


def enqueue_after_commit(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    pending = _pending.get()
    if pending is None:
        pending = []
        _pending.set(pending)
    pending.append(_PendingTask(name, args, kwargs, countdown))


def discard_pending() -> None:
    _pending.set(None)


def flush_after_commit() -> None:
    pending = _pending.get() or []
    _pending.set(None)
    for task in pending:
        send_task_now(task.name, *task.args, countdown=task.countdown, **task.kwargs)


def send_task_now(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> bool:
    """Send one task; False when the broker refused (the caller's row stays for the sweeper)."""
    from shared.tasks.celery_app import celery_app

    try:
        celery_app.send_task(name, args=args, kwargs=kwargs, countdown=countdown)
        return True
    except Exception as exc:  # broker down: kombu raises OperationalError and friends
        log.warning("task_send_failed", task=name, error=str(exc))
        return False
