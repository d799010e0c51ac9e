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

from services.api.rate_limit import login_limiter
from shared.actor import Actor
from shared.auth.service import resolve_bearer
from shared.db.engine import session_scope
from shared.errors import Forbidden, Unauthenticated
from shared.logging import get_logger
from shared.tasks.enqueue import flush_after_commit
from shared.users.models import ROLES
from shared.users.service import api_key_refused

log = get_logger(__name__)
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
            await anyio.to_thread.run_sync(
                scope.__exit__, type(exc), exc, exc.__traceback__, limiter=CapacityLimiter(1)
            )
        raise
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(scope.__exit__, None, None, None, limiter=CapacityLimiter(1))


# scope="function": commit before the response is sent. FastAPI's default ("request") runs the
# exit code after sending, so a client could read before the commit, and a failed commit would
# follow a 2xx it had already received.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def commit_now(session: Session) -> None:
    """Commit mid-request, where what happened so far must stand whatever follows (what Stripe has
    already done); the session dependency commits the rest as usual."""
    session.commit()
    flush_after_commit()


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


def check_access(
    actor: Actor, roles: frozenset[str] | None, *, people_only: bool = False, while_enrolling_totp: bool = True
) -> Actor:
    """The one access check, used by the routes' guards and (before a body is read) by the body guard:
    403 unless `actor` has one of `roles` (None: any signed-in caller); `people_only` refuses API keys;
    a token that may only enrol a second factor gets in only where `while_enrolling_totp`."""
    if roles is not None and actor.kind not in roles:
        raise Forbidden("Your role may not do this.", code="role_forbidden")
    if people_only and actor.api_key_id is not None:
        raise api_key_refused()
    if actor.totp_enrollment_required and not while_enrolling_totp:
        raise Forbidden(
            "Your practice requires a second factor: enrol one first (POST /v1/me/totp, then "
            "POST /v1/me/totp/confirm). Until then this sign-in can do nothing else.",
            code="totp_enrollment_required",
        )
    return actor


def current_actor(request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    """Any signed-in caller, with no role or second-factor check: only for what every caller may
    read, even one whose token may only enrol a second factor (GET /v1/me). Every other route
    uses a RequireRoles guard."""
    return authenticate(request, session, token)


class RequireRoles:
    """A role guard. Kept as a class so error handlers can find which roles a route needs.

    `people_only`: an API key is refused (403 `api_key_forbidden`) even with an allowed role — for
    what changes who can sign in. `while_enrolling_totp`: a token that may only enrol a second
    factor (its practice requires one and the user has none yet) is let in; everywhere else it is
    refused with 403 `totp_enrollment_required`.
    """

    def __init__(self, *roles: str, people_only: bool = False, while_enrolling_totp: bool = False) -> None:
        self.roles = roles
        self.people_only = people_only
        self.while_enrolling_totp = while_enrolling_totp

    def check(self, actor: Actor) -> Actor:
        return check_access(
            actor, frozenset(self.roles), people_only=self.people_only, while_enrolling_totp=self.while_enrolling_totp
        )

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
    people_only: bool = False  # API keys refused
    while_enrolling_totp: bool = False  # open to a token that may only enrol a second factor


def route_access(dependant: Any) -> RouteAccess:
    signed_in, uses_database, people_only = False, False, False
    while_enrolling_totp = True
    roles: frozenset[str] | None = None
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RequireRoles):
            signed_in = True
            roles = frozenset(dep.call.roles) if roles is None else roles & frozenset(dep.call.roles)
            people_only = people_only or dep.call.people_only
            while_enrolling_totp = while_enrolling_totp and dep.call.while_enrolling_totp
        elif dep.call is current_actor:
            signed_in = True
        elif dep.call is get_session:
            uses_database = True
        stack.extend(dep.dependencies)
    return RouteAccess(signed_in, roles, uses_database, people_only, while_enrolling_totp)


TOTP_ROLES = ("operator", "admin", "biller")  # clients' portal logins have no second factor


def access_of(route: Any) -> RouteAccess:
    """`route_access` of an API route, read once per route (the route table does not change)."""
    access = route.__dict__.get("_clinicpay_access")
    if access is None:
        access = route._clinicpay_access = route_access(route.dependant)
    return access


require_operator = RequireRoles("operator")
require_admin = RequireRoles("admin")
require_staff = RequireRoles("admin", "biller")
require_client = RequireRoles("client")
# What changes who can sign in: a person (never an API key), an admin of the practice.
require_admin_person = RequireRoles("admin", people_only=True)
# A person's own sign-in (signing out, their password), also while they still have to enrol TOTP.
require_person = RequireRoles(*ROLES, people_only=True, while_enrolling_totp=True)
require_totp_user = RequireRoles(*TOTP_ROLES, people_only=True, while_enrolling_totp=True)


@dataclass(frozen=True)
class LimitedSignInAttempts:
    """`SignInAttempts` for domain code: the login limiter, at the caller's address."""

    address: str

    def check(self, account: str) -> None:
        login_limiter().reserve(account, self.address)

    def failed(self, account: str) -> None:
        log.info("credential_check_failed", address=self.address)  # reserve() already counted it

    def succeeded(self, account: str) -> None:
        login_limiter().release(account, self.address)


def sign_in_attempts(request: Request) -> LimitedSignInAttempts:
    return LimitedSignInAttempts(request.client.host if request.client else "unknown")


SignInAttemptsDep = Annotated[LimitedSignInAttempts, Depends(sign_in_attempts)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentOperator = Annotated[Actor, Depends(require_operator)]
CurrentAdmin = Annotated[Actor, Depends(require_admin)]
CurrentStaff = Annotated[Actor, Depends(require_staff)]
CurrentClient = Annotated[Actor, Depends(require_client)]
CurrentAdminPerson = Annotated[Actor, Depends(require_admin_person)]
CurrentPerson = Annotated[Actor, Depends(require_person)]
CurrentTotpUser = Annotated[Actor, Depends(require_totp_user)]
