"""Group commit for the inbox: concurrent deliveries share one INSERT and one COMMIT.

Every delivery must be durably stored before it is acknowledged, and a commit waits for
the disk (a few ms each on these machines, ~260 commits/s one at a time). So requests
hand their row to a few writer tasks; each writer takes whatever is waiting (up to
MAX_BATCH), inserts it in one statement that also NOTIFYs the relay, commits, and only
then releases each request to answer 200. Idle, a batch is one row and costs nothing
extra; under load, batches grow by themselves and the commits are shared.

A row PostgreSQL refuses (jsonb it cannot store, a group deleted meanwhile) fails its
whole batch; the batch is then written row by row so only that delivery sees the error.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import asyncpg

from shared.logging import get_logger

log = get_logger("clinicpay.webhooks")

NOTIFY_CHANNEL = "stripe_events"
MAX_BATCH = 256
WRITERS = 2
INSERT_BATCH = f"""
WITH inserted AS (
    INSERT INTO stripe_events (id, group_id, stripe_event_id, type, stripe_created, payload, source, attempts)
    SELECT e.id, e.group_id, e.stripe_event_id, e.type, e.created, e.payload::jsonb, 'webhook', 0
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[])
         AS e(id, group_id, stripe_event_id, type, created, payload)
    ON CONFLICT (group_id, stripe_event_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM (SELECT pg_notify('{NOTIFY_CHANNEL}', '') FROM (SELECT 1 FROM inserted LIMIT 1) AS one) AS n
"""
# Errors that belong to one row, not to the database as a whole.
ROW_ERRORS = (asyncpg.DataError, asyncpg.ForeignKeyViolationError)


@dataclass
class PendingEvent:
    group_id: uuid.UUID
    stripe_event_id: str
    type: str
    created: int
    payload: str
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class InboxWriter:
    def __init__(self, pool: asyncpg.Pool, *, writers: int = WRITERS, max_batch: int = MAX_BATCH) -> None:
        self.pool = pool
        self.max_batch = max_batch
        self.queue: asyncio.Queue[PendingEvent] = asyncio.Queue()
        self.tasks = [asyncio.create_task(self._run(), name=f"inbox-writer-{i}") for i in range(writers)]

    async def store(self, event: PendingEvent) -> None:
        """Return once the event is committed (or was already stored); raise what the database raised."""
        # If the client hangs up meanwhile, the row is still written; nobody is left to read an error.
        event.done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.queue.put_nowait(event)
        await asyncio.shield(event.done)

    async def close(self) -> None:
        while not self.queue.empty():
            await asyncio.sleep(0.01)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._write(batch)
            except asyncio.CancelledError:
                _fail(batch, ConnectionError("receiver shutting down"))
                raise
            except Exception as exc:
                _fail(batch, exc)

    async def _write(self, batch: list[PendingEvent]) -> None:
        try:
            await self._insert(batch)
        except ROW_ERRORS as exc:
            if len(batch) == 1:
                raise
            log.info("inbox_batch_split", size=len(batch), error=type(exc).__name__)
            for event in batch:
                try:
                    await self._insert([event])
                except ROW_ERRORS as row_exc:
                    _fail([event], row_exc)

    async def _insert(self, batch: list[PendingEvent]) -> None:
        async with self.pool.acquire(timeout=5) as conn:
            await conn.fetchval(
                INSERT_BATCH,
                [uuid.uuid4() for _ in batch],
                [e.group_id for e in batch],
                [e.stripe_event_id for e in batch],
                [e.type for e in batch],
                [e.created for e in batch],
                [e.payload for e in batch],
            )
        for event in batch:
            if not event.done.done():
                event.done.set_result(None)


def _fail(batch: list[PendingEvent], exc: BaseException) -> None:
    for event in batch:
        if not event.done.done():
            event.done.set_exception(exc)
