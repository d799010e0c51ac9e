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


def begin_request_scope() -> None:
    """Start an empty buffer in the caller's context; the API calls it in its ASGI middleware.

    FastAPI runs sync endpoints and sync dependencies each in a thread-pool *copy* of the
    request's context, so a buffer first created inside the endpoint would be invisible to
    the session dependency that flushes after COMMIT, and the task would never be sent. A
    buffer created here, in the request's own task, is the same list in every copy; so the
    functions below change it in place and never replace it.
    """
    _pending.set([])


def enqueue_after_commit(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    pending = _pending.get()
    if pending is None:
        # Scripts and the worker (session_scope): one thread, one context, so a lazy buffer is seen.
        pending = []
        _pending.set(pending)
    pending.append(_PendingTask(name, args, kwargs, countdown))


def discard_pending() -> None:
    pending = _pending.get()
    if pending is not None:
        pending.clear()


def flush_after_commit() -> None:
    pending = _pending.get()
    if not pending:
        return
    tasks = list(pending)
    pending.clear()
    for task in tasks:
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
