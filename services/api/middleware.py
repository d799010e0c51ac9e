"""Request id on every log line and response; a fresh after-commit task buffer for every request;
security headers on every answer; and the one place an unhandled error is logged (once) and
answered 500."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import error_body
from shared.logging import get_logger
from shared.tasks.enqueue import begin_request_scope

log = get_logger("clinicpay.http")
_INTERNAL_ERROR = JSONResponse(error_body("internal_error", "Something went wrong on our side."), status_code=500)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# An emailed link's token is its whole credential, and it rides in the path: a pay link's
# (services/api/routes/pay.py) and a reminder's unsubscribe link's (services/api/routes/unsubscribe.py).
_TOKEN_PATH = re.compile(r"^/v1/(pay|unsubscribe)/[^/]*")


def loggable_path(path: str) -> str:
    """The path as logged: an emailed link's token never is."""
    return _TOKEN_PATH.sub(r"/v1/\1/{token}", path)


# HSTS only over https (as uvicorn sees it, X-Forwarded-Proto from a trusted proxy included):
# over plain http a browser ignores it, and development runs on http.
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _add_security_headers(scope: Scope, headers: list[tuple[bytes, bytes]]) -> None:
    """nosniff on everything; `no-store` on every API answer (JSON and PDFs carry client data)
    unless the route chose its own caching; HSTS when served over https."""
    names = {name.lower() for name, _ in headers}
    if b"x-content-type-options" not in names:
        headers.append((b"x-content-type-options", b"nosniff"))
    if scope["path"].startswith("/v1/") and b"cache-control" not in names:
        headers.append((b"cache-control", b"no-store"))
    if scope.get("scheme") == "https":
        headers.append(_HSTS)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        begin_request_scope()
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                _add_security_headers(scope, headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Logged here and nowhere else: raised on, uvicorn would log it a second time.
            log.exception("unhandled_error", method=scope["method"], path=loggable_path(scope["path"]))
            if not response_started:
                await _INTERNAL_ERROR(scope, receive, send_with_id)
        finally:
            log.info(
                "http_request",
                method=scope["method"],
                path=loggable_path(scope["path"]),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()
