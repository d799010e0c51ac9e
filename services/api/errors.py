"""Every error leaves the API in one shape: {"error": {"code", "message", "param"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db.engine import get_sessionmaker
from shared.errors import ClinicpayError
from shared.logging import get_logger

log = get_logger(__name__)

_HTTP_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "body_too_large", 429: "rate_limited"}


def error_response(status: int, code: str, message: str, param: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "param": param, **extra}},
                          status_code=status, headers=headers)


def _param_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _guard_before_body(request: Request) -> None:
    """The contract checks 401 and 403 before a malformed body: FastAPI parses the body
    first, so re-run the route's own credential and role checks here."""
    from services.api.deps import RequireRoles, authenticate, oauth2_scheme  # noqa: PLC0415

    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    guards: list[RequireRoles] = []
    needs_auth = False
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RequireRoles):
            guards.append(dep.call)
        if getattr(dep.call, "__name__", "") == "current_actor" or isinstance(dep.call, RequireRoles):
            needs_auth = True
        stack.extend(dep.dependencies)
    if not needs_auth:
        return
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    session = get_sessionmaker()()
    try:
        actor = authenticate(request, session, token)
    finally:
        session.close()
    for guard in guards:
        guard.check(actor)
    del oauth2_scheme


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClinicpayError)
    async def _domain_error(request: Request, exc: ClinicpayError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            try:
                await run_in_threadpool(_guard_before_body, request)
            except ClinicpayError as denied:
                return await _domain_error(request, denied)
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        first = errors[0] if errors else {}
        param = _param_of(tuple(first.get("loc", ())))
        message = first.get("msg", "Invalid request.")
        if param:
            message = f"{param}: {message}"
        return error_response(422, "validation_failed", message, param)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check for duplicates first; this answers the race two requests at once can still lose.
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate == "23505":  # unique_violation
            return error_response(409, "already_exists",
                                  "That was just created or changed by another request. Reload and try again.")
        log.exception("integrity_error")
        return error_response(409, "conflict", "The request conflicts with the current state. Reload and try again.")

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database_unavailable", error=str(exc.orig) if exc.orig else str(exc))
        return error_response(503, "service_unavailable", "The database is unavailable. Try again shortly.")

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return error_response(503, "service_unavailable", "The database is unavailable. Try again shortly.")
        log.exception("database_error")
        return error_response(500, "internal_error", "Something went wrong on our side.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error")
        return error_response(500, "internal_error", "Something went wrong on our side.")
