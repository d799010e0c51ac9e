"""The TOTP second factor (RFC 6238, pyotp) of staff and operator sign-ins.

A user enrols in two steps: `start_enrolment` makes a secret and shows it once (with the
otpauth:// URI an authenticator app scans); `confirm_enrolment` with a code from the app turns
it on. From then on signing in needs a code too. The secret is stored only encrypted
(shared.security.secrets) and never shown or logged again. A code is accepted once: the
30-second step it belongs to is recorded, and a code of that step or an earlier one is refused
(a replay), claimed by one UPDATE so two requests racing with one code cannot both pass.

Every code or password checked here counts in the login limiter (`SignInAttempts`), exactly as
a sign-in does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shared.actor import Actor
from shared.audit.service import record
from shared.errors import Conflict, ValidationFailed
from shared.groups.repository import GroupRepository
from shared.logging import get_logger
from shared.security.attempts import SignInAttempts
from shared.security.passwords import verify_password
from shared.security.secrets import decrypt_secret, encrypt_secret
from shared.users.models import User
from shared.users.repository import UserRepository
from shared.users.schemas import TotpDisable

log = get_logger(__name__)

ISSUER = "clinicpay"
# Codes from the step before and the step after the current one are accepted too: phones' clocks drift.
VALID_WINDOW = 1


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, issuer=ISSUER)


def accept_code(session: Session, user: User, code: str | None) -> bool:
    """Whether `code` is the user's current code and not used before; if so, it is now used."""
    code = (code or "").replace(" ", "")
    if user.totp_secret_encrypted is None or not (code.isascii() and code.isdigit() and len(code) == 6):
        return False
    try:
        timecode = _totp(decrypt_secret(user.totp_secret_encrypted)).verify_and_get_timecode(
            code, valid_window=VALID_WINDOW
        )
    except OTPVerificationError:
        return False
    claimed = session.execute(
        update(User.__table__)
        .where(
            User.__table__.c.id == user.id,
            or_(User.__table__.c.totp_last_timecode.is_(None), User.__table__.c.totp_last_timecode < timecode),
        )
        .values(totp_last_timecode=timecode)
        .returning(User.__table__.c.id)
    ).first()
    if claimed is None:
        log.info("totp_code_replayed", user_id=str(user.id))
        return False
    set_committed_value(user, "totp_last_timecode", timecode)
    return True


def _otp_invalid(param: str) -> ValidationFailed:
    return ValidationFailed(
        "That code is wrong or was already used. Enter the current code from your authenticator app.",
        code="otp_invalid",
        param=param,
    )


def _me(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id, with_for_update=True)
    assert user is not None  # the bearer lookup just found this user, and users are never deleted
    return user


def start_enrolment(session: Session, actor: Actor) -> tuple[str, str]:
    """A new secret for the caller (replacing one not yet confirmed). Returns it and its otpauth:// URI."""
    user = _me(session, actor)
    if user.totp_enabled:
        raise Conflict(
            "Your second factor is already on. Turn it off first to enrol a new authenticator.",
            code="totp_already_enabled",
        )
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_last_timecode = None
    session.flush()
    record(session, actor, "user.totp_enrolment_started", "user", user.id)
    log.info("totp_enrolment_started", user_id=str(user.id))
    return secret, _totp(secret).provisioning_uri(name=user.email)


def confirm_enrolment(session: Session, actor: Actor, code: str, attempts: SignInAttempts) -> User:
    """Turn the second factor on with a code from the app. Other sign-ins of the user end (they were
    made without it); this one stays."""
    user = _me(session, actor)
    if user.totp_enabled:
        raise Conflict("Your second factor is already on.", code="totp_already_enabled")
    if user.totp_secret_encrypted is None:
        raise Conflict("Start with POST /v1/me/totp to get a secret for your app.", code="totp_not_started")
    attempts.check(user.email)
    if not accept_code(session, user, code):
        attempts.failed(user.email)
        raise _otp_invalid("code")
    attempts.succeeded(user.email)
    user.totp_enabled_at = datetime.now(UTC)
    ended = UserRepository.from_session(session).revoke_access_tokens(user.id, keep=actor.access_token_id)
    session.flush()
    record(session, actor, "user.totp_enabled", "user", user.id, data={"other_sign_ins_ended": ended})
    log.info("totp_enabled", user_id=str(user.id))
    return user


def disable(session: Session, actor: Actor, data: TotpDisable, attempts: SignInAttempts) -> User:
    """Turn the caller's second factor off, proven with a current code or the password."""
    user = _me(session, actor)
    if not user.totp_enabled:
        raise Conflict("Your second factor is not on.", code="totp_not_enabled")
    if user.group_id is not None and GroupRepository.from_session(session).get(user.group_id).require_staff_totp:
        raise Conflict(
            "Your practice requires a second factor for all staff, so it cannot be turned off. "
            "To move to a new phone, ask an admin to reset it.",
            code="totp_required_by_practice",
        )
    attempts.check(user.email)
    if data.code is not None:
        if not accept_code(session, user, data.code):
            attempts.failed(user.email)
            raise _otp_invalid("code")
    elif not verify_password(user.password_hash, data.password or ""):
        attempts.failed(user.email)
        raise ValidationFailed("That is not your current password.", code="invalid_current_password", param="password")
    attempts.succeeded(user.email)
    _clear(user)
    session.flush()
    record(session, actor, "user.totp_disabled", "user", user.id)
    log.info("totp_disabled", user_id=str(user.id))
    return user


def reset_for(session: Session, actor: Actor, user_id: str) -> User:
    """An admin's recovery for a colleague who lost their authenticator: the second factor goes, and
    so does every sign-in of theirs; they sign in with their password (and enrol again if the practice
    requires it)."""
    users = UserRepository.from_session(session)
    user = users.get_staff(actor, user_id, for_update=True)
    if user.id == actor.user_id:
        raise Conflict(
            "Turn your own second factor off with POST /v1/me/totp/disable (a code or your password).",
            code="cannot_reset_own_totp",
            param="id",
        )
    was_enabled = user.totp_enabled
    _clear(user)
    ended = users.revoke_access_tokens(user.id)
    session.flush()
    record(
        session,
        actor,
        "user.totp_reset",
        "user",
        user.id,
        data={"was_enabled": was_enabled, "sign_ins_ended": ended},
    )
    log.info("totp_reset", user_id=str(user.id))
    return user


def _clear(user: User) -> None:
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_timecode = None
