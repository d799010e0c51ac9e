"""A request body is read only once its sender may send it, only up to a limit, and only so slowly.

- **Sign-in first.** On a route that needs a login, the caller's credentials and role are checked
  when the route first asks for the body, before a byte of it is read: nobody can make the API
  parse (or hold in memory) a body it would refuse anyway, and a malformed body from someone not
  signed in answers 401, not 400. Public routes (sign-in, health; later pay links, password
  reset, invitations, unsubscribe pages) are read as they come, under limits of their own.
- **Size.** CLINICPAY_MAX_BODY_BYTES, or the route's own `max_body_size` (sign-in declares a small
  one; a logo upload may declare a larger one): a Content-Length over it answers 413 before
  reading, and a body without one stops being read as soon as it passes the limit. (FastAPI's
  app-wide `max_body_size` is not used: its 413 replaces whatever the app answers, so a caller
  not signed in would learn the size limit instead of getting 401. Its per-route limit is fine
  for public routes, and sign-in uses it.)
- **Time.** The whole body must arrive within CLINICPAY_BODY_TIMEOUT_SECONDS of the route first
  asking for it, or the answer is 408 and the connection closes: a client trickling a byte at a
  time cannot hold a connection (and a worker's share of the event loop) open.
"""

from __future__ import annotations

import anyio
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.deps import RouteAccess, access_of, authenticate, check_access
from shared.db.engine import get_sessionmaker


class RefusedBeforeBody(HTTPException):
    """Carries what the sign-in check raised (401, 403, a database outage …) past FastAPI's body
    reader, which turns anything but an HTTPException into a 400. services/api/errors.py answers
    `error` with the API's handler for it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(status_code=getattr(error, "status_code", 500))
        self.error = error


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"The request body is larger than the {limit:,} bytes accepted here.")


class BodyTimedOut(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(status_code=408, detail=f"The request body did not arrive within {seconds:g} seconds.")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def _sign_in(request: Request, access: RouteAccess) -> None:
    session = get_sessionmaker()()
    try:
        actor = authenticate(request, session, _bearer(request))  # cached on the request for the route
    finally:
        session.close()
    check_access(actor, access.roles, people_only=access.people_only, while_enrolling_totp=access.while_enrolling_totp)


class BodyGuardMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        body_done = False
        limit, received = self.max_body_bytes, 0

        async def guarded_receive() -> Message:
            nonlocal deadline, body_done, limit, received
            if body_done:  # what follows the body (a disconnect) may take as long as it takes
                return await receive()
            if deadline is None:
                route = scope.get("route")
                access = access_of(route) if isinstance(route, APIRoute) else None
                if access is not None and access.signed_in:
                    try:
                        await run_in_threadpool(_sign_in, Request(scope), access)
                    except Exception as refused:
                        raise RefusedBeforeBody(refused) from refused
                limit = getattr(route, "max_body_size", None) or self.max_body_bytes
                declared = Headers(scope=scope).get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise BodyTooLarge(limit)
                deadline = anyio.current_time() + self.timeout_seconds
            message = None
            with anyio.move_on_after(max(deadline - anyio.current_time(), 0)):
                message = await receive()
            if message is None:
                raise BodyTimedOut(self.timeout_seconds)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, guarded_receive, send)
