"""The Stripe webhook receiver: `uvicorn services.webhooks.app:app`.

Per delivery: check the size, find the group's secret, verify the signature, parse,
and store the event (group-committed with concurrent deliveries, see inbox_writer.py;
the same statement NOTIFYs the relay) — then answer 200. Nothing else happens on
this path: the relay (`python -m services.webhooks.relay`) sends stored rows to the
worker in batches, so a broker outage never fails a delivery, and a 200 always means
the event is durably in the inbox. If the
database is unreachable the answer is 503 and Stripe delivers again later.

asyncpg directly (not SQLAlchemy) because it is the one thing this service does, and
it roughly doubles what one process can take (measured: `make bench`, the receiver scenarios).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from services.webhooks.db import asyncpg_dsn
from services.webhooks.inbox_writer import InboxWriter, PendingEvent
from services.webhooks.secrets_cache import SecretCache, UnknownGroup
from services.webhooks.verify import Rejected, decode, parse, verify
from shared.bodies import read_at_most
from shared.config import check_settings, database_settings, stripe_settings
from shared.errors import error_body
from shared.gc_tuning import freeze_startup_objects
from shared.logging import configure_logging, get_logger
from shared.stripe_sync.api_version import log_pinned_api_version

log = get_logger("clinicpay.webhooks")

RECEIVED_BODY = b'{"received":true}'
# Errors a dead or restarting database raises; anything here means "try again later".
DATABASE_UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


def _too_large() -> JSONResponse:
    return _error(413, "body_too_large", "The event is larger than this endpoint accepts.")


class _Receiver:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.writer: InboxWriter | None = None
        self.secrets = SecretCache()

    async def start(self) -> None:
        dsn, timeout = asyncpg_dsn()
        # min_size=0: the receiver starts (and answers 503) even while the database is down.
        self.pool = await asyncpg.create_pool(
            dsn,
            min_size=0,
            max_size=database_settings().pool_size,
            timeout=timeout,
            command_timeout=10,
            max_inactive_connection_lifetime=300,
        )
        self.writer = InboxWriter(self.pool)

    async def stop(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        if self.pool is not None:
            await self.pool.close()


receiver_state = _Receiver()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await receiver_state.start()
    freeze_startup_objects()
    yield
    await receiver_state.stop()


def create_app() -> FastAPI:
    configure_logging()
    check_settings()
    log_pinned_api_version("webhooks")
    # No OpenTelemetry here (structlog is the record), and its per-request check is not free.
    app = FastAPI(
        title="clinicpay webhooks",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.add_api_route("/readyz", readyz, methods=["GET"])
    # A plain Starlette route: FastAPI's parameter resolution cost more per request than
    # verifying and parsing the event together, and this endpoint needs none of it.
    app.add_route("/v1/stripe/webhooks/{group_id}", receive_stripe_event, methods=["POST"], include_in_schema=False)
    return app


async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def readyz() -> JSONResponse:
    # Ready means "can store events"; the broker is deliberately not checked.
    try:
        async with receiver_state.pool.acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "checks": {"database": "unavailable"}}, status_code=503)
    return JSONResponse({"status": "ok", "checks": {"database": "ok"}})


async def receive_stripe_event(request: Request) -> Response:
    group_id = request.path_params["group_id"]
    try:
        gid = uuid.UUID(group_id)
    except ValueError:
        return _error(404, "resource_missing", "No webhook endpoint here.")
    limit = stripe_settings().webhook_max_body_bytes
    tolerance = stripe_settings().webhook_tolerance_seconds
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return _too_large() if declared.isdigit() else _error(400, "invalid_request", "Bad Content-Length.")

    pool = receiver_state.pool
    try:
        secret = await receiver_state.secrets.get(pool, gid)
    except UnknownGroup:
        return _error(404, "resource_missing", "No webhook endpoint here.")
    except DATABASE_UNAVAILABLE as exc:
        log.warning("webhook_database_unavailable", group_id=group_id, error=type(exc).__name__)
        return _error(503, "service_unavailable", "Try again shortly.")

    body = await read_at_most(request.stream(), limit)  # Content-Length was checked above
    if body is None:
        log.info("webhook_rejected", group_id=group_id, code="body_too_large")
        return _too_large()
    try:
        text = decode(body)
        header = request.headers.get("stripe-signature")
        try:
            verify(text, header, secret, tolerance)
        except Rejected:
            # The secret may have been rotated since we cached it: check once against a fresh read.
            if not receiver_state.secrets.may_refresh(gid):
                raise
            verify(text, header, await receiver_state.secrets.get(pool, gid, fresh=True), tolerance)
        event = parse(text)
    except Rejected as rejected:
        log.info("webhook_rejected", group_id=group_id, code=rejected.code)
        return _error(400, rejected.code, rejected.message)
    except UnknownGroup:
        return _error(404, "resource_missing", "No webhook endpoint here.")
    except DATABASE_UNAVAILABLE as exc:
        log.warning("webhook_database_unavailable", group_id=group_id, error=type(exc).__name__)
        return _error(503, "service_unavailable", "Try again shortly.")

    try:
        await receiver_state.writer.store(
            PendingEvent(gid, event.stripe_event_id, event.type, event.created, event.text)
        )
    except asyncpg.ForeignKeyViolationError:
        receiver_state.secrets.forget(gid)  # the group was deleted under us
        return _error(404, "resource_missing", "No webhook endpoint here.")
    except (asyncpg.DataError, asyncpg.exceptions.UntranslatableCharacterError):
        # JSON that PostgreSQL's jsonb refuses (e.g. a \u0000 escape): not a Stripe event.
        log.info("webhook_rejected", group_id=group_id, code="invalid_payload", event_id=event.stripe_event_id)
        return _error(400, "invalid_payload", "The event could not be stored as JSON.")
    except DATABASE_UNAVAILABLE as exc:
        log.warning("webhook_database_unavailable", group_id=group_id, error=type(exc).__name__)
        return _error(503, "service_unavailable", "Try again shortly.")
    except asyncpg.PostgresError as exc:
        log.error("webhook_store_failed", group_id=group_id, event_id=event.stripe_event_id, error=type(exc).__name__)
        return _error(503, "service_unavailable", "Try again shortly.")
    return Response(RECEIVED_BODY, media_type="application/json")


app = create_app()
