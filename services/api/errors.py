"""Every error leaves the API in one shape: {"error": {"code", "message", "param"}}."""

from __future__ import annotations

from typing import Any

import stripe
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.body_guard import RefusedBeforeBody
from shared.errors import ClinicpayError, error_body
from shared.logging import get_logger
from shared.stripe_sync.gateway import UnexpectedStripeError

log = get_logger(__name__)

_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "body_timeout",
    413: "body_too_large",
    429: "rate_limited",
}


def error_response(
    status: int, code: str, message: str, param: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message, param, extra), status_code=status, headers=headers)


def _param_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


async def _answer_with_handler(request: Request, exc: Exception) -> Response:
    """Answer `exc` as the handler registered for its class would (the nearest in its MRO)."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            return await handler(request, exc)
    raise exc  # no handler: the request middleware logs it once and answers 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClinicpayError)
    async def _domain_error(request: Request, exc: ClinicpayError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(stripe.StripeError)
    async def _unexpected_stripe_error(request: Request, exc: stripe.StripeError) -> JSONResponse:
        # Every Stripe error domain code expects is mapped where it happens (a decline, a refused key, an
        # unknown object; Stripe unreachable is StripeUnavailable). This is the rest: a 502, never a 500.
        # Logged by class, status, Stripe's code and request id: never the message (it can quote the key).
        log.error(
            "stripe_error_unexpected",
            error_type=type(exc).__name__,
            http_status=exc.http_status,
            stripe_code=exc.code,
            stripe_request_id=exc.request_id,
        )
        answer = UnexpectedStripeError.of(exc)
        return JSONResponse(answer.to_dict(), status_code=answer.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        # (A route that needs a login has checked it before its body was read: services/api/body_guard.py.)
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        first = errors[0] if errors else {}
        param = _param_of(tuple(first.get("loc", ())))
        message = first.get("msg", "Invalid request.")
        if param:
            message = f"{param}: {message}"
        return error_response(422, "validation_failed", message, param)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc, RefusedBeforeBody):
            return await _answer_with_handler(request, exc.error)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check for duplicates first; this answers the race two requests at once can still lose.
        sqlstate = _sqlstate(exc)
        # The constraint's name only: never the statement's bound parameters (they carry client data).
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        if sqlstate == "23505":  # unique_violation
            log.info("unique_violation", constraint=constraint)
            return error_response(
                409, "already_exists", "That was just created or changed by another request. Reload and try again."
            )
        log.error("integrity_error", sqlstate=sqlstate, constraint=constraint)
        return error_response(409, "conflict", "The request conflicts with the current state. Reload and try again.")

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database_unavailable", error=str(exc.orig) if exc.orig else str(exc))
        return error_response(503, "service_unavailable", "The database is unavailable. Try again shortly.")

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return error_response(503, "service_unavailable", "The database is unavailable. Try again shortly.")
        # Logged once, by class, SQLSTATE and where: never its message (shared/logging.py says why).
        log.error("database_error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side.")

    # Any other exception: services/api/middleware.py logs it once and answers 500 (an `Exception`
    # handler here would run in Starlette's ServerErrorMiddleware, which re-raises to the server,
    # and uvicorn would log it a second time).
