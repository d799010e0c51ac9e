"""Every send to the broker, and sending tasks only after the transaction that needs them commits.

`send_tasks` is the one function that talks to the broker: the API and the worker (through
`enqueue_after_commit`), the beat sweepers and the webhooks relay all send through it. A broker
failure is handled the same way everywhere: logged once, the send stops, and the caller is told
how much went out. Nothing is lost by it: the rows the tasks concern are in the database and a
beat sweeper (or, for the relay, its next round) sends them again.

Domain code calls `enqueue_after_commit(name, ...)`. The one boundary that commits,
`session_scope()` (`shared/db/engine.py`), calls `flush_after_commit()` after its COMMIT and
`discard_pending()` on rollback; the API's session dependency (`services/api/deps.py`) is a
`session_scope()` per request (and `commit_now` flushes after its mid-request commit), the worker's
jobs open one per step (`shared.jobs.transaction()`), and the CLI one per command.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        # The CLI and the worker's jobs: one thread, one context, so a lazy buffer is seen.
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


def send_tasks(
    name: str,
    messages: Iterable[tuple[Any, ...]],
    *,
    kwargs: dict[str, Any] | None = None,
    countdown: float | None = None,
    expires: float | None = None,
) -> int:
    """Send one task `name` per args tuple in `messages`, over one broker connection. Returns how
    many went out: fewer than asked when the broker refused one — then it stops, and the rest stay
    in the database for their sweeper. `expires`: a message still queued after that many seconds is
    dropped by the worker (a sweeper's resend; the next sweep sends it again)."""
    from shared.tasks.celery_app import celery_app

    sent = 0
    try:
        with celery_app.producer_or_acquire() as producer:
            for args in messages:
                celery_app.send_task(
                    name, args=args, kwargs=kwargs, countdown=countdown, expires=expires, producer=producer
                )
                sent += 1
    except Exception as exc:  # broker down: kombu raises OperationalError and friends
        log.warning("task_send_failed", task=name, error=str(exc) or type(exc).__name__, sent=sent)
    return sent


def send_task_now(
    name: str, *args: Any, countdown: float | None = None, expires: float | None = None, **kwargs: Any
) -> bool:
    """Send one task now; False when the broker refused (the caller's row stays for the sweeper)."""
    return send_tasks(name, [args], kwargs=kwargs, countdown=countdown, expires=expires) == 1
