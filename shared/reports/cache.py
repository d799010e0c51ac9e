"""The reports' cache: an answer is computed once per state of the practice's ledger, per day.

A report reads every open invoice (aging) or a year of payments (collections): tens of milliseconds of
PostgreSQL per request on a large practice, against a few for a page of invoices. Its answer changes only
when the practice's ledger does, or when its day turns. So an answer is kept in Redis under a key made of
the practice's **ledger version**, its today, its time zone and currency, and what was asked — and the
version is moved by the database itself, in the commit of every transaction that touches the practice's
invoices, payments, refunds or clients (migration 0014's deferred trigger), not by code that could forget.

Why a stale answer cannot be served: the version is read first, the report after, each in its own
statement, so the report sees at least every commit the version has counted. A report computed from a
newer ledger than its key says is only ever too new, and the next change moves the key past it. A key
also carries the time the version last moved, so a database restored from a backup (whose versions count
again from an older number) never meets the answers of the timeline it replaced.

At most one process computes a missing answer (a lock in Redis); the requests that arrive meanwhile wait
for it instead of each reading the same 40,000 rows. Without Redis every request computes its own answer:
slower, never wrong.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.groups.models import Group
from shared.ledger.due import practice_today
from shared.logging import get_logger
from shared.redis_client import redis_client
from shared.reports.models import LedgerVersion

log = get_logger(__name__)

# An answer outlives its ledger state by nothing (a change moves the key); this only bounds memory.
TTL_SECONDS = 600
# How long a request waits for another process computing the same answer, then computes its own.
WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class LedgerState:
    """What a practice's report answer depends on, besides the question."""

    group_id: uuid.UUID
    timezone: str
    currency: str
    today: date
    version: str  # "<count>.<microseconds of its last move>", "0" before the first change

    def key(self, report: str, question: str) -> str:
        asked = hashlib.sha256(question.encode()).hexdigest()[:16]
        return (
            f"clinicpay:report:{report}:{self.group_id}:{self.version}:{self.today.isoformat()}:"
            f"{self.timezone}:{self.currency}:{asked}"
        )


def ledger_state(session: Session, group_id: uuid.UUID) -> LedgerState:
    """The practice's settings and ledger version in one statement, read before the report itself."""
    row = session.execute(
        select(Group.timezone, Group.currency, LedgerVersion.version, LedgerVersion.changed_at)
        .outerjoin(LedgerVersion, LedgerVersion.group_id == Group.id)
        .where(Group.id == group_id)
    ).one()
    version = "0" if row.version is None else f"{row.version}.{int(row.changed_at.timestamp() * 1_000_000)}"
    return LedgerState(group_id, row.timezone, row.currency, practice_today(row.timezone), version)


def cached(state: LedgerState, report: str, question: str, compute: Callable[[], str]) -> str:
    """The text `compute()` returns for this ledger state and question, computed at most once at a time."""
    key = state.key(report, question)
    try:
        client = redis_client()
        hit = client.get(key)
        if hit is not None:
            return hit.decode()
        if not client.set(key + ":computing", "1", nx=True, ex=int(WAIT_SECONDS) + 1):
            waited = _wait_for(client, key)
            if waited is not None:
                return waited
        else:
            hit = client.get(key)  # stored between our first look and taking the lock
            if hit is not None:
                client.delete(key + ":computing")
                return hit.decode()
    except redis.RedisError as exc:
        log.warning("report_cache_unavailable", report=report, error=str(exc))
        return compute()
    try:
        answer = compute()
        client.set(key, answer, ex=TTL_SECONDS)
    except redis.RedisError as exc:
        log.warning("report_cache_unavailable", report=report, error=str(exc))
        return answer
    finally:
        try:
            client.delete(key + ":computing")  # also when compute() failed: the waiters compute their own
        except redis.RedisError:
            pass
    return answer


def _wait_for(client: redis.Redis, key: str) -> str | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
        hit = client.get(key)
        if hit is not None:
            return hit.decode()
        if not client.exists(key + ":computing"):  # done between the two looks, or it failed: compute here
            last = client.get(key)
            return None if last is None else last.decode()
    return None
