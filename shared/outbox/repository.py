"""Queries of outbox rows, in the caller's transaction. The leases are the one lease module's
(shared/db/lease.py), whose statements commit on their own unless given a session."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.db.lease import Heartbeat, LeasedTable
from shared.db.repository import Repository
from shared.outbox.models import OutboxMessage

# A message nobody has taken by then lost its task (broker down at commit, a restart): the sweeper sends it.
# A minute, not the invoicing runs' 10 s: a run of 2,000 invoices queues 40 batches at once, and a
# batch still waiting its turn in the queue must not be sent a second time.
UNSTARTED_GRACE_SECONDS = 60
INSERT_CHUNK = 1000


class OutboxRepository(Repository):
    def insert_once(self, rows: list[dict[str, Any]]) -> list[tuple[uuid.UUID, str]]:
        """Insert the rows whose (group, dedupe_key) is new; returns (id, status) of those inserted."""
        inserted: list[tuple[uuid.UUID, str]] = []
        # In chunks: one multi-row VALUES per chunk, under PostgreSQL's 65,535 parameters per statement.
        for start in range(0, len(rows), INSERT_CHUNK):
            stmt = (
                insert(OutboxMessage)
                .values(rows[start : start + INSERT_CHUNK])
                .on_conflict_do_nothing(index_elements=[OutboxMessage.group_id, OutboxMessage.dedupe_key])
                .returning(OutboxMessage.id, OutboxMessage.status)
            )
            inserted += [(row.id, row.status) for row in self.session.execute(stmt)]
        return inserted


MESSAGES = LeasedTable(OutboxMessage)


def take_leases(ids: list[uuid.UUID], owner: str, lease_seconds: float) -> list[OutboxMessage]:
    """The pending rows among `ids` that nobody else holds, now leased to `owner`. A retry of the same
    task (same owner) takes its own lease back without waiting it out."""
    rows = MESSAGES.take(
        [OutboxMessage.id.in_(ids), OutboxMessage.status == "pending"], owner, lease_seconds, returning=(OutboxMessage,)
    )
    return sorted((row[0] for row in rows), key=lambda r: r.created_at)


def _pending(ids: list[uuid.UUID]) -> list[Any]:
    return [OutboxMessage.id.in_(ids), OutboxMessage.status == "pending"]


def heartbeat(ids: list[uuid.UUID], owner: str, *, seconds: float, interval: float) -> Heartbeat:
    return MESSAGES.heartbeat(_pending(ids), owner, seconds=seconds, interval=interval, lease_owner=owner)


def mark_sent(session: Session, message_id: uuid.UUID) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
        .values(
            {
                OutboxMessage.status: "sent",
                OutboxMessage.sent_at: func.now(),
                OutboxMessage.last_error: None,
                **MESSAGES.cleared(),
            }
        )
    )


def mark_skipped(session: Session, message_id: uuid.UUID, owner: str, reason: str) -> None:
    """A leased row that is no longer to be sent (a reminder whose invoice was paid since): recorded why."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending", MESSAGES.held_by(owner))
        .values({OutboxMessage.status: "skipped", OutboxMessage.skip_reason: reason, **MESSAGES.cleared()})
    )


def hold_for_retry(
    ids: list[uuid.UUID], owner: str, error: str, seconds: float, *, session: Session | None = None
) -> None:
    """After a transient failure: keep the lease (so the sweeper leaves the rows alone) until the task's
    own retry is due; the retry, same owner, takes it back."""
    MESSAGES.hold(_pending(ids), owner, seconds, values={OutboxMessage.last_error: error[:500]}, session=session)


def stale_ids(limit: int = 1000) -> list[uuid.UUID]:
    """Pending rows whose lease expired (a worker died, or its retries ran out), or never taken."""
    return MESSAGES.stale_ids([OutboxMessage.status == "pending"], grace=UNSTARTED_GRACE_SECONDS, limit=limit)
