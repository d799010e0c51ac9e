"""Leases on rows: which worker may work on a row, and until when. The one lease module.

Every piece of background work that must survive a dead worker — an invoicing run, a
reconciliation, a batch of outbox emails, a Stripe inbox event — is a row with a lease:
`lease_expires_at` (and, where the work is long enough to need a heartbeat, `lease_owner`).

- take: a row whose lease is free (none, or expired) — or is already the taker's own: the owner
  is the Celery task id, which a retry of the same message keeps — becomes the taker's until
  now + `seconds`, and its `attempts` goes up by one;
- extend (the heartbeat): ONLY by the owner. An extend that finds the row no longer its owner's
  answers False, the heartbeat marks the lease lost, and the holder stops (`Heartbeat.lost`,
  `Heartbeat.check()` raises LeaseLost);
- hold / release: the owner moves the expiry — to when its own retry is due (so the sweeper leaves
  the row alone while it waits), or to now (release: anyone may take it at once);
- cleared(): the values that end a lease, for the statement that finishes the row;
- expired() / stale_ids(): the sweep — unfinished rows whose lease ran out, or that nobody took
  within a grace period (their message was lost); beat sends them again.

A dead worker's lease simply expires, and the next worker takes the row over: within a lease and
a sweep, not when the broker's one-hour visibility timeout would have redelivered the message.
Statements here commit on their own unless given the caller's session.

A table without `lease_owner` (the Stripe inbox: its short lease only keeps two copies of a task
from both working on a row; `processed_at`, set under the row lock, decides) can be taken, held
and swept, never extended.
"""

from __future__ import annotations

import threading
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.db.engine import get_engine, get_sessionmaker
from shared.logging import get_logger

log = get_logger(__name__)


class LeaseLost(Exception):
    """Another worker took the row over while this one worked; this one stops."""


@contextmanager
def advisory_lock(kind: int, key: uuid.UUID) -> Iterator[bool]:
    """Yields True while this process holds the lock `(kind, key)`, False if another does. Held in a
    transaction of its own on its own connection, so it dies with the worker: a crash never leaves it stuck."""
    with get_engine().connect() as conn, conn.begin():
        yield bool(conn.scalar(select(func.pg_try_advisory_xact_lock(kind, zlib.crc32(key.bytes) - 2**31))))


def _after(seconds: float) -> ColumnElement[Any]:
    return func.now() + timedelta(seconds=max(float(seconds), 0.0))


class LeasedTable:
    """The lease columns of one table (`lease_expires_at`, `attempts`, and `lease_owner` if it has one)."""

    def __init__(self, model: Any, *, created: InstrumentedAttribute[Any] | None = None) -> None:
        self.model = model
        self.id: InstrumentedAttribute[Any] = model.id
        self.expires: InstrumentedAttribute[Any] = model.lease_expires_at
        self.owner: InstrumentedAttribute[Any] | None = getattr(model, "lease_owner", None)
        self.attempts: InstrumentedAttribute[Any] = model.attempts
        self.created: InstrumentedAttribute[Any] = created if created is not None else model.created_at

    # --- conditions ---

    def free(self, owner: str | None = None) -> ColumnElement[bool]:
        """Nobody holds a live lease on the row (or `owner` holds it)."""
        conditions: list[ColumnElement[bool]] = [self.expires.is_(None), self.expires < func.now()]
        if owner is not None:
            conditions.append(self.held_by(owner))
        return or_(*conditions)

    def held_by(self, owner: str) -> ColumnElement[bool]:
        if self.owner is None:
            raise TypeError(f"{self.model.__tablename__} leases have no owner")
        return self.owner == owner

    def expired(self, *, since: InstrumentedAttribute[Any] | None = None, grace: float) -> ColumnElement[bool]:
        """The lease ran out, or nobody took one within `grace` seconds of `since` (default: created)."""
        since = since if since is not None else self.created
        return or_(
            self.expires < func.now(),
            and_(self.expires.is_(None), since < func.now() - timedelta(seconds=grace)),
        )

    def cleared(self) -> dict[Any, Any]:
        """The values that end the lease (the row is finished)."""
        values: dict[Any, Any] = {self.expires: None}
        if self.owner is not None:
            values[self.owner] = None
        return values

    # --- statements ---

    def take(
        self,
        where: Sequence[ColumnElement[bool]],
        owner: str | None,
        seconds: float,
        *,
        values: dict[Any, Any] | None = None,
        returning: Sequence[Any] = (),
        session: Session | None = None,
    ) -> list[Row[Any]]:
        """Lease the rows matching `where` that are free (or `owner`'s own) to `owner` for `seconds`,
        counting an attempt. Returns the `returning` columns (or entities) of the rows taken."""
        new: dict[Any, Any] = {self.expires: _after(seconds), self.attempts: self.attempts + 1}
        if self.owner is not None:
            if owner is None:
                raise TypeError("a lease with an owner column is taken by an owner")
            new[self.owner] = owner
        stmt = (
            update(self.model)
            .where(*where, self.free(owner if self.owner is not None else None))
            .values({**new, **(values or {})})
            .returning(*(returning or (self.id,)))
            .execution_options(synchronize_session=False)
        )
        if session is not None:
            return list(session.execute(stmt))
        with get_sessionmaker()() as own, own.begin():
            rows = list(own.execute(stmt))
            own.expunge_all()  # returned entities stay readable after the commit
        return rows

    def extend(self, where: Sequence[ColumnElement[bool]], owner: str, seconds: float) -> bool:
        """Push the expiry on — only while `owner` still holds the lease. False: it was lost."""
        stmt = update(self.model).where(*where, self.held_by(owner)).values({self.expires: _after(seconds)})
        with get_engine().begin() as conn:
            return conn.execute(stmt).rowcount > 0

    def hold(
        self,
        where: Sequence[ColumnElement[bool]],
        owner: str | None,
        seconds: float,
        *,
        values: dict[Any, Any] | None = None,
        session: Session | None = None,
    ) -> int:
        """Set the expiry to now + `seconds` (0: release) on the owner's rows; how many rows."""
        conditions = [*where, self.held_by(owner)] if owner is not None else list(where)
        stmt = (
            update(self.model)
            .where(*conditions)
            .values({self.expires: _after(seconds), **(values or {})})
            .execution_options(synchronize_session=False)
        )
        if session is not None:
            return int(session.execute(stmt).rowcount)
        with get_engine().begin() as conn:
            return int(conn.execute(stmt).rowcount)

    def release(self, where: Sequence[ColumnElement[bool]], owner: str | None, seconds: float = 0.0) -> None:
        """Best effort `hold` before a retry (the database may be what failed; the lease expires anyway)."""
        try:
            self.hold(where, owner, seconds)
        except Exception as exc:
            log.warning("lease_release_failed", table=self.model.__tablename__, error=str(exc))

    def stale_ids(self, where: Sequence[ColumnElement[bool]], *, grace: float, limit: int) -> list[Any]:
        """The sweep: unfinished rows (`where`) whose lease expired or that nobody took within `grace` s."""
        stmt = select(self.id).where(*where, self.expired(grace=grace)).order_by(self.created).limit(limit)
        with get_engine().connect() as conn:
            return list(conn.scalars(stmt))

    def heartbeat(
        self, where: Sequence[ColumnElement[bool]], owner: str, *, seconds: float, interval: float, **log_ids: str
    ) -> Heartbeat:
        """Extends `owner`'s lease on the rows by `seconds` every `interval` seconds while the work runs."""
        table = self.model.__tablename__
        return Heartbeat(
            lambda: self.extend(where, owner, seconds),
            interval=interval,
            name=f"lease-{table}",
            failure_event="lease_heartbeat_failed",
            table=table,
            **log_ids,
        )


class LeasedJobs(LeasedTable):
    """A table of jobs — invoicing runs, reconciliations: `status` queued → running → succeeded or
    failed, with `started_at` and `updated_at` — one worker at a time on each."""

    UNFINISHED = ("queued", "running")

    def running(self, job_id: Any) -> list[ColumnElement[bool]]:
        return [self.id == job_id, self.model.status == "running"]

    def take_job(self, job_id: Any, owner: str, seconds: float, *, returning: Sequence[Any]) -> Row[Any] | None:
        """Mark the job running and `owner`'s for `seconds`: its `returning` columns, or None when it
        is finished or another worker holds it."""
        model = self.model
        rows = self.take(
            [self.id == job_id, model.status.in_(self.UNFINISHED)],
            owner,
            seconds,
            values={
                model.status: "running",
                model.started_at: func.coalesce(model.started_at, func.now()),
                model.updated_at: func.now(),
            },
            returning=returning,
        )
        return rows[0] if rows else None

    def stale_job_ids(self, *, grace: float, limit: int) -> list[Any]:
        """Unfinished jobs whose lease expired, or that were queued and nobody started within `grace` s."""
        return self.stale_ids([self.model.status.in_(self.UNFINISHED)], grace=grace, limit=limit)


class Heartbeat:
    """Keeps a lease alive while long work runs: a thread calls `extend()` (on its own connection)
    every `interval` seconds until the work ends, or until `extend()` answers False — the row is
    finished or another worker took it over. Then `lost` is set, and the holder stops at its next
    `check()`."""

    def __init__(
        self, extend: Callable[[], bool], *, interval: float, name: str, failure_event: str, **log_ids: str
    ) -> None:
        self._extend = extend
        self.interval = interval
        self._failure_event = failure_event
        self._log_ids = log_ids
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=name, daemon=True)

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def check(self) -> None:
        if self.lost:
            raise LeaseLost()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self._extend():
                    self._lost.set()
                    log.info("lease_not_extended", **self._log_ids)
                    return  # finished, or taken over: nothing left to keep alive
            except Exception as exc:
                log.warning(self._failure_event, error=str(exc), **self._log_ids)
