"""The baseline: a bare FastAPI app, run like the real ones (uvicorn, 2 workers), that only answers.

What a figure is compared with in the same run: the most this machine, this Python and
this server stack can answer right now, with none of clinicpay's work behind it. One
route also stores the body first (`/store/...`: one asyncpg INSERT and COMMIT, no batching)
— the floor for any endpoint that must hold an event durably before answering.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
from fastapi import FastAPI, Request, Response

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
_RECEIVED = b'{"received":true}'
_pool: asyncpg.Pool | None = None
_pool_lock = asyncio.Lock()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/stripe/webhooks/{group_id}")
async def webhook(group_id: str) -> Response:
    return Response(_RECEIVED, media_type="application/json")


@app.get("/ok")
def ok() -> dict[str, bool]:
    # A sync endpoint, like the API's reads: the same thread-pool hop, none of the work.
    return {"ok": True}


async def _store_pool() -> asyncpg.Pool:
    global _pool
    async with _pool_lock:
        if _pool is None:
            dsn = "postgresql://" + os.environ["DATABASE_URL"].split("://", 1)[1]
            _pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)  # bench_store: made by the scenario
    return _pool


@app.post("/store/{group_id}")
async def store(group_id: str, request: Request) -> Response:
    body = await request.body()
    pool = await _store_pool()
    await pool.execute("INSERT INTO bench_store (id, body) VALUES ($1, $2)", uuid.uuid4(), body.decode())
    return Response(_RECEIVED, media_type="application/json")
