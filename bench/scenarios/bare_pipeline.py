"""The event-to-paid baseline: the same hops with none of clinicpay's code, in the benchmark's process.

Per event, at the same fixed rate: INSERT the ~3 KB body and COMMIT (the receiver's durable
store; "acknowledged" here), LPUSH its id to Redis (the broker hop); two consumers BRPOP
and UPDATE … COMMIT the row (the worker applying it, at concurrency 2); a poller SELECTs
the newest done rows every 25 ms (the API read). What is left between this and the real
figure is our code: verifying, the relay's batching, Celery, the ledger, HTTP and the ORM.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
import psycopg
import redis.asyncio as aioredis

from bench.events import succeeded_body
from bench.stats import percentile

TABLE = "bench_bare_pipeline"
QUEUE = "bench:bare_pipeline"
CONSUMERS = 2
POLL_INTERVAL = 0.025  # as the real figure's poller
DRAIN_SECONDS = 30.0


async def measure(dsn: str, redis_url: str, rate: float, count: int) -> dict:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
    broker = aioredis.from_url(redis_url)
    await pool.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigint PRIMARY KEY, payload text NOT NULL, done_at timestamptz)"
    )
    await pool.execute(f"TRUNCATE {TABLE}")
    await broker.delete(QUEUE)
    payload = succeeded_body()
    acked: dict[int, float] = {}
    seen: dict[int, float] = {}
    sending_done = asyncio.Event()

    async def deliver(i: int) -> None:
        await pool.execute(f"INSERT INTO {TABLE} (id, payload) VALUES ($1, $2)", i, payload)
        acked[i] = time.perf_counter()
        await broker.lpush(QUEUE, i)

    async def send() -> None:
        tasks = []
        began = time.perf_counter()
        for i in range(count):
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(deliver(i)))
        await asyncio.gather(*tasks)
        sending_done.set()

    def finished() -> bool:
        return len(seen) >= count or (sending_done.is_set() and time.perf_counter() > drain_deadline[0])

    drain_deadline = [float("inf")]

    async def consume() -> None:
        while not finished():
            item = await broker.brpop(QUEUE, timeout=1)
            if item is not None:
                await pool.execute(f"UPDATE {TABLE} SET done_at = now() WHERE id = $1", int(item[1]))

    async def poll() -> None:
        while not finished():
            if sending_done.is_set() and drain_deadline[0] == float("inf"):
                drain_deadline[0] = time.perf_counter() + DRAIN_SECONDS
            rows = await pool.fetch(f"SELECT id FROM {TABLE} WHERE done_at IS NOT NULL ORDER BY id DESC LIMIT 100")
            answered = time.perf_counter()
            for row in rows:
                seen.setdefault(row["id"], answered)
            await asyncio.sleep(POLL_INTERVAL)

    try:
        await asyncio.gather(send(), poll(), *(consume() for _ in range(CONSUMERS)))
    finally:
        await broker.delete(QUEUE)
        await broker.aclose()
        await pool.close()
    latencies = [(seen[i] - acked[i]) * 1000 for i in acked if i in seen]
    return {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=None),
        "sent": count,
        "acked": len(acked),
        "seen": len(seen),
    }


def drop(conn: psycopg.Connection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
