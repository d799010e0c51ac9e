"""Queries on the Stripe event inbox (`stripe_events`). Its leases are the one lease module's
(shared/db/lease.py), without an owner: the lease only keeps two copies of a task from both working
on a row, and doubles as the backoff after a failure; `processed_at`, set under the row lock, decides."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import all_, and_, any_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.types import String, Uuid

from shared.db.lease import LeasedTable
from shared.db.repository import Repository, Whose, practice_of
from shared.stripe_sync.models import StripeEvent


@dataclass(frozen=True)
class InboxRow:
    """What applying an event needs from its inbox row."""

    id: uuid.UUID
    group_id: uuid.UUID
    stripe_event_id: str
    type: str
    payload: dict[str, Any]
    source: str


EVENTS = LeasedTable(StripeEvent, created=StripeEvent.received_at)

_MARK_PROCESSED = text(
    "UPDATE stripe_events AS e SET processed_at = now(), outcome = done.outcome, lease_expires_at = NULL,"
    " last_error = NULL FROM unnest(:ids, :outcomes) AS done(id, outcome) WHERE e.id = done.id"
).bindparams(bindparam("ids", type_=ARRAY(Uuid)), bindparam("outcomes", type_=ARRAY(String)))


class InboxRepository(Repository):
    def claim(
        self, event_ids: list[uuid.UUID], lease_seconds: float, *, up_to: int, max_attempts: int
    ) -> dict[uuid.UUID, int]:
        """Take the lease on the given rows that are unprocessed and not leased by anyone (a lease
        that ran out counts as none), topped up to `up_to` with the oldest other rows that
        wait unleased (their own messages, still queued, will find them taken and do nothing). So a
        backlog is worked off in full batches however small the messages that announced it.
        {row id: attempt number} of the rows we now hold."""
        ids = bindparam("ids", event_ids, type_=ARRAY(Uuid))
        waiting = (
            select(StripeEvent.id)
            .where(
                StripeEvent.processed_at.is_(None),
                EVENTS.free(),
                StripeEvent.attempts < max_attempts,
                StripeEvent.id != all_(ids),
            )
            .order_by(StripeEvent.received_at)
            .limit(max(up_to - len(event_ids), 0))
            .with_for_update(skip_locked=True)
            .cte("waiting")
        )
        rows = EVENTS.take(
            [
                or_(StripeEvent.id == any_(ids), StripeEvent.id.in_(select(waiting.c.id))),
                StripeEvent.processed_at.is_(None),
            ],
            None,
            lease_seconds,
            returning=(StripeEvent.id, StripeEvent.attempts),
            session=self.session,
        )
        return {row.id: row.attempts for row in rows}

    def lock_unprocessed(self, event_ids: list[uuid.UUID]) -> list[InboxRow]:
        """The rows, locked, that are still unprocessed, oldest first, as plain rows (no ORM objects to
        track). A concurrent applier waits here and then sees them processed, so an event's effect is
        committed at most once."""
        rows = self.session.execute(
            select(
                StripeEvent.id,
                StripeEvent.group_id,
                StripeEvent.stripe_event_id,
                StripeEvent.type,
                StripeEvent.payload,
                StripeEvent.source,
            )
            .where(StripeEvent.id.in_(event_ids), StripeEvent.processed_at.is_(None))
            .order_by(StripeEvent.received_at)
            .with_for_update()
        )
        return [InboxRow(*row) for row in rows]

    def mark_processed(self, outcomes: dict[uuid.UUID, str]) -> None:
        """processed_at and each row's outcome, for a batch, in one statement."""
        if outcomes:
            self.session.execute(_MARK_PROCESSED, {"ids": list(outcomes), "outcomes": list(outcomes.values())})

    def store_caught_up(self, whose: Whose, event: dict[str, Any]) -> tuple[uuid.UUID, bool]:
        """An event reconciliation found at Stripe, stored as its delivery would have been (once per
        group and Stripe event id): (row id, already processed)."""
        group_id = practice_of(whose)
        row_id = self.session.scalar(
            insert(StripeEvent)
            .values(
                id=uuid.uuid4(),
                group_id=group_id,
                stripe_event_id=event["id"],
                type=event["type"],
                stripe_created=int(event.get("created") or 0),
                payload=event,
                source="reconciliation",
                attempts=0,
                dispatched_at=func.now(),  # applied right away by the run; the sweeper covers a crash
            )
            .on_conflict_do_nothing(index_elements=["group_id", "stripe_event_id"])
            .returning(StripeEvent.id)
        )
        if row_id is not None:
            return row_id, False
        existing = self.session.execute(
            select(StripeEvent.id, StripeEvent.processed_at).where(
                StripeEvent.group_id == group_id, StripeEvent.stripe_event_id == event["id"]
            )
        ).one()
        return existing[0], existing[1] is not None

    def get(self, event_id: uuid.UUID) -> StripeEvent | None:
        return self.session.get(StripeEvent, event_id)

    def by_stripe_event_id(self, stripe_event_id: str) -> list[StripeEvent]:
        return list(
            self.session.scalars(
                select(StripeEvent)
                .where(StripeEvent.stripe_event_id == stripe_event_id)
                .order_by(StripeEvent.received_at)
            )
        )

    def record_failure(self, event_id: uuid.UUID, error: str, retry_in_seconds: float) -> None:
        # The lease now doubles as the backoff: nobody (sweeper included) takes it again before then.
        EVENTS.hold(
            [StripeEvent.id == event_id, StripeEvent.processed_at.is_(None)],
            None,
            retry_in_seconds,
            values={StripeEvent.last_error: error},
            session=self.session,
        )

    def lock_for_sweep(
        self, *, undispatched_after_s: float, lost_after_s: float, max_attempts: int, limit: int
    ) -> list[uuid.UUID]:
        """Rows the broker may have lost: never dispatched (relay down), or dispatched and then
        dropped (no lease taken for a while, or a lease that expired) with attempts left."""
        now = func.now()
        never_dispatched = and_(
            StripeEvent.dispatched_at.is_(None),
            StripeEvent.received_at < now - text(f"interval '{float(undispatched_after_s)} seconds'"),
        )
        lost = and_(
            StripeEvent.dispatched_at.is_not(None),
            StripeEvent.attempts < max_attempts,
            EVENTS.expired(since=StripeEvent.dispatched_at, grace=lost_after_s),
        )
        return list(
            self.session.scalars(
                select(StripeEvent.id)
                .where(StripeEvent.processed_at.is_(None), or_(never_dispatched, lost))
                .order_by(StripeEvent.received_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    def mark_dispatched(self, event_ids: list[uuid.UUID]) -> None:
        if event_ids:
            self.session.execute(
                update(StripeEvent).where(StripeEvent.id.in_(event_ids)).values(dispatched_at=func.now())
            )

    def reset_for_replay(self, event_id: uuid.UUID) -> None:
        self.session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event_id)
            .values(processed_at=None, outcome=None, lease_expires_at=None)
        )
