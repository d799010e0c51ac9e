"""Who the caller is (the portal pages build their navigation from this answer), and their own
sign-in: password and second factor."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel

from services.api.deps import CurrentActor, CurrentPerson, CurrentTotpUser, SessionDep, SignInAttemptsDep
from shared.auth import totp
from shared.groups.models import Group
from shared.users import service
from shared.users.models import User
from shared.users.schemas import PasswordChange, TotpCode, TotpDisable, TotpEnrolment, UserOut

router = APIRouter(prefix="/v1", tags=["me"])

_LIMITED = {429: {"description": "Too many wrong passwords or codes for this account; wait and try again."}}


class MeOut(BaseModel):
    id: uuid.UUID
    email: str | None
    role: str
    group_id: uuid.UUID | None
    client_id: uuid.UUID | None
    # The practice's conventions, so every role (clients too, who may not read /v1/settings)
    # formats money and dates the way the practice does.
    group_name: str | None = None
    currency: str | None = None
    timezone: str | None = None
    # What the payment dialog needs to offer a smaller amount (clients may not read /v1/settings).
    allow_partial_payments: bool | None = None
    minimum_payment_cents: int | None = None
    # The caller's second factor (null for an API key); `totp_enrollment_required`: this sign-in may
    # only enrol one, as the practice requires it.
    totp_enabled: bool | None = None
    totp_enrollment_required: bool = False


@router.get("/me", response_model=MeOut)
def read_me(actor: CurrentActor, session: SessionDep) -> MeOut:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    group = session.get(Group, actor.group_id) if actor.group_id else None
    return MeOut(
        id=actor.user_id or actor.api_key_id,
        email=user.email if user else None,
        role=actor.kind,
        group_id=actor.group_id,
        client_id=actor.client_id,
        group_name=group.name if group else None,
        currency=group.currency if group else None,
        timezone=group.timezone if group else None,
        allow_partial_payments=group.allow_partial_payments if group else None,
        minimum_payment_cents=group.minimum_payment_cents if group else None,
        totp_enabled=user.totp_enabled if user else None,
        totp_enrollment_required=actor.totp_enrollment_required,
    )


@router.post("/me/password", status_code=204, response_class=Response, responses=_LIMITED)
def change_password(
    body: PasswordChange, actor: CurrentPerson, session: SessionDep, attempts: SignInAttemptsDep
) -> Response:
    """Every role changes their own password. A wrong `current_password` is 422
    `invalid_current_password` and counts as a failed sign-in. On success every other sign-in of the
    user ends; the token of this request keeps working."""
    service.change_password(session, actor, body, attempts)
    return Response(status_code=204)


@router.post("/me/totp", status_code=201, response_model=TotpEnrolment)
def start_totp_enrolment(actor: CurrentTotpUser, session: SessionDep) -> TotpEnrolment:
    """Step 1 of 2: a new secret for an authenticator app, shown this once. It takes effect only after
    POST /v1/me/totp/confirm; calling this again before that replaces it. 409 `totp_already_enabled`."""
    secret, uri = totp.start_enrolment(session, actor)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/me/totp/confirm", response_model=UserOut, responses=_LIMITED)
def confirm_totp_enrolment(
    body: TotpCode, actor: CurrentTotpUser, session: SessionDep, attempts: SignInAttemptsDep
) -> UserOut:
    """Step 2 of 2: a code from the app turns the second factor on (422 `otp_invalid` otherwise, counted
    as a failed sign-in). From now on signing in needs a code; other sign-ins of the user end."""
    return UserOut.model_validate(totp.confirm_enrolment(session, actor, body.code, attempts))


@router.post("/me/totp/disable", response_model=UserOut, responses=_LIMITED)
def disable_totp(
    body: TotpDisable, actor: CurrentTotpUser, session: SessionDep, attempts: SignInAttemptsDep
) -> UserOut:
    """Turn the second factor off with a current `code` or the `password` (either, not both). 409
    `totp_required_by_practice` when the practice requires one (an admin can reset it instead)."""
    return UserOut.model_validate(totp.disable(session, actor, body, attempts))
