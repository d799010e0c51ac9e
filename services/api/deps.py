"""Dependencies every route uses: the session boundary, the caller, role guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
import structlog
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from shared.audit.service import Actor
from shared.auth.service import resolve_bearer
from shared.db.engine import session_scope
from shared.errors import Forbidden, Unauthenticated

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


async def get_session() -> AsyncIterator[Session]:
    """The transaction boundary (`session_scope`): commit on success, roll back on error, then send queued tasks.

    Async, so opening it costs no thread-pool hop: a Session connects on first use. Closing it
    talks to the database, so that runs in the pool, shielded from cancellation, as FastAPI runs
    a sync generator's exit (a limiter of its own: it must not wait for a thread while holding a
    connection)."""
    scope = session_scope()
    session = scope.__enter__()
    try:
        yield session
    except BaseException as exc:
        with CancelScope(shield=True):
            await anyio.to_thread.run_sync(scope.__exit__, type(exc), exc, exc.__traceback__,
                                           limiter=CapacityLimiter(1))
        raise
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(scope.__exit__, None, None, None, limiter=CapacityLimiter(1))


# scope="function": commit before the response is sent. FastAPI's default ("request") runs the
# exit code after sending, so a client could read before the commit, and a failed commit would
# follow a 2xx it had already received.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def authenticate(request: Request, session: Session, token: str | None) -> Actor:
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    if not token:
        raise Unauthenticated("Sign in first: send Authorization: Bearer <token>.", code="not_authenticated")
    actor = resolve_bearer(session, token)
    if actor is None:
        raise Unauthenticated("Your sign-in has expired or is not valid. Sign in again.", code="invalid_token")
    request.state.actor = actor
    structlog.contextvars.bind_contextvars(group_id=str(actor.group_id) if actor.group_id else None)
    return actor


def current_actor(request: Request, session: SessionDep,
                  token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    return authenticate(request, session, token)


class RequireRoles:
    """A role guard. Kept as a class so error handlers can find which roles a route needs."""

    def __init__(self, *roles: str) -> None:
        self.roles = roles

    def check(self, actor: Actor) -> Actor:
        if actor.kind not in self.roles:
            raise Forbidden("Your role may not do this.", code="role_forbidden")
        return actor

    # Async: a check in memory, not worth a thread-pool hop.
    async def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        return self.check(actor)


@dataclass(frozen=True)
class RouteAccess:
    """Who a route lets in, read from its dependencies: the OpenAPI description and the role-matrix
    test both use it, so neither can drift from what the route enforces."""

    signed_in: bool  # needs a bearer token or API key
    roles: frozenset[str] | None  # None: any signed-in caller (or nobody, when not signed_in)
    uses_database: bool


def route_access(dependant: Any) -> RouteAccess:
    signed_in, uses_database = False, False
    roles: frozenset[str] | None = None
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RequireRoles):
            signed_in = True
            roles = frozenset(dep.call.roles) if roles is None else roles & frozenset(dep.call.roles)
        elif dep.call is current_actor:
            signed_in = True
        elif dep.call is get_session:
            uses_database = True
        stack.extend(dep.dependencies)
    return RouteAccess(signed_in, roles, uses_database)


require_operator = RequireRoles("operator")
require_admin = RequireRoles("admin")
require_staff = RequireRoles("admin", "biller")
require_client = RequireRoles("client")

CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentOperator = Annotated[Actor, Depends(require_operator)]
CurrentAdmin = Annotated[Actor, Depends(require_admin)]
CurrentStaff = Annotated[Actor, Depends(require_staff)]
CurrentClient = Annotated[Actor, Depends(require_client)]
