from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field

from services.api.deps import CurrentPerson, SessionDep
from services.api.rate_limit import account_email_limiter, login_limiter
from shared.accounts import service as accounts
from shared.accounts.schemas import (
    EmailSentOut,
    InvitationAccept,
    PasswordResetComplete,
    PasswordResetRequest,
    SignInReadyOut,
)
from shared.auth import service
from shared.auth.service import authenticate_password, issue_access_token
from shared.auth.totp import accept_code
from shared.errors import Unauthenticated
from shared.logging import get_logger
from shared.text import text
from shared.users.schemas import Password

router = APIRouter(prefix="/v1/auth", tags=["auth"])
invitations_router = APIRouter(prefix="/v1/invitations", tags=["auth"])
log = get_logger(__name__)


# The sign-in form is small; anything larger is refused (413) before it is read. Sign-in is public,
# so it keeps its own limit rather than the API's (CLINICPAY_MAX_BODY_BYTES).
SIGN_IN_MAX_BODY_BYTES = 4096


class SignInForm(BaseModel):
    """The OAuth2 password grant's form (Swagger UI's Authorize sends it too); other fields are ignored."""

    username: text(min_length=1, max_length=320)
    password: Password
    grant_type: text(max_length=16, pattern=r"^password$") | None = None
    scope: text(max_length=200) = ""
    otp: text(max_length=16) | None = Field(
        default=None,
        description="The 6-digit code from the authenticator app, for a user with a second factor. Send it "
        "with the password, or first without it: a right password then answers 401 `otp_required`.",
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    totp_enrollment_required: bool = Field(
        default=False,
        description="true: the practice requires a second factor and you have none yet. This token can only "
        "enrol one (POST /v1/me/totp, then /v1/me/totp/confirm), read GET /v1/me, change the password and sign out.",
    )


@router.post(
    "/token",
    response_model=TokenOut,
    responses={
        401: {
            "description": "`invalid_credentials`: wrong email or password (whatever the code). For a user with a "
            "second factor and the right password: `otp_required` (no `otp` sent) or `otp_invalid` (wrong, or "
            "already used)."
        },
        429: {"description": "Too many failed sign-ins for this email or from this address; wait and try again."},
    },
    max_body_size=SIGN_IN_MAX_BODY_BYTES,
)
def issue_token(request: Request, session: SessionDep, form: Annotated[SignInForm, Form()]) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    limiter = login_limiter()
    limiter.reserve(form.username, address)  # counts this attempt, or 429 when a limit is reached
    try:
        user = authenticate_password(session, form.username, form.password)
    except Exception:
        limiter.release(form.username, address)  # the database failed, not the password
        raise
    if user is None:
        log.info("login_failed", address=address)
        raise Unauthenticated("Wrong email or password.", code="invalid_credentials", param="username")
    # The code is asked for only once the password was right, so `otp_required` tells nobody
    # anything about a password they did not already know.
    if user.totp_enabled and not form.otp:
        limiter.release(form.username, address)  # not a failure: the client now asks for the code
        raise Unauthenticated("Enter the code from your authenticator app.", code="otp_required", param="otp")
    if user.totp_enabled and not accept_code(session, user, form.otp or ""):
        log.info("login_failed_otp", address=address)  # stays counted, as a wrong password does
        raise Unauthenticated(
            "That code is wrong or was already used. Enter the current code from your authenticator app.",
            code="otp_invalid",
            param="otp",
        )
    limiter.release(form.username, address)
    token, ttl = issue_access_token(session, user)
    log.info("login_succeeded", user_id=str(user.id))
    return TokenOut(
        access_token=token, expires_in=ttl, totp_enrollment_required=service.totp_enrollment_required(session, user)
    )


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses={403: {"description": "`api_key_forbidden`: an API key cannot sign out; revoke it instead."}},
)
def log_out(actor: CurrentPerson, session: SessionDep) -> Response:
    """Revoke the token this request carries, at once. The user's other sign-ins stay."""
    service.log_out(session, actor)
    return Response(status_code=204)


RESET_SENT = (
    "If this address has a clinicpay sign-in, we emailed it a link to set a new password. "
    "The link works once, for a limited time."
)
_WEAK = {
    "description": "`token_invalid` (the link is unknown, used, replaced or expired), or `password_too_short` / "
    "`password_too_weak` (the link stays usable)."
}


@router.post(
    "/password-reset",
    status_code=202,
    response_model=EmailSentOut,
    responses={429: {"description": "`too_many_email_requests`: this address, or this caller, asked too often."}},
    max_body_size=SIGN_IN_MAX_BODY_BYTES,
)
def request_password_reset(request: Request, body: PasswordResetRequest, session: SessionDep) -> EmailSentOut:
    """ "Forgot password?": always 202 with the same body. An address with an active login is emailed a
    single-use link (`/portal/#/reset-password?token=…`, valid for CLINICPAY_PASSWORD_RESET_TTL_SECONDS,
    an hour); any other address is emailed a note that no login uses it. Either way one email is
    written and sent later by the worker, so neither the answer nor its timing tells the two apart."""
    address = request.client.host if request.client else "unknown"
    account_email_limiter().reserve(body.email, address)
    accounts.request_password_reset(session, body.email)
    return EmailSentOut(message=RESET_SENT)


@router.post(
    "/password-reset/complete",
    response_model=SignInReadyOut,
    responses={422: _WEAK},
    max_body_size=SIGN_IN_MAX_BODY_BYTES,
)
def complete_password_reset(body: PasswordResetComplete, session: SessionDep) -> SignInReadyOut:
    """Set a new password with the emailed token. The token is spent, and every sign-in of the account
    ends (on every device); sign in again with the new password (POST /v1/auth/token)."""
    user = accounts.complete_password_reset(session, body.token, body.password)
    return SignInReadyOut(email=user.email, role=user.role)


@invitations_router.post(
    "/accept",
    response_model=SignInReadyOut,
    responses={
        409: {"description": "`email_taken`: the address got a login since it was invited; sign in instead."},
        422: _WEAK,
    },
    max_body_size=SIGN_IN_MAX_BODY_BYTES,
)
def accept_invitation(body: InvitationAccept, session: SessionDep) -> SignInReadyOut:
    """Set the first password with the emailed invitation token: the login is made (for a client who
    had one, it moves to the invited address and its other sign-ins end). Then sign in."""
    user = accounts.accept_invitation(session, body.token, body.password)
    return SignInReadyOut(email=user.email, role=user.role)
