"""Logging in and out, issuing tokens, and resolving a bearer credential to an Actor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, false, func, literal_column, select
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.config import app_settings
from shared.groups.models import Group
from shared.logging import get_logger
from shared.security.passwords import verify_password
from shared.security.tokens import ACCESS_TOKEN_PREFIX, API_KEY_PREFIX, new_access_token, token_digest
from shared.users.models import STAFF_ROLES, AccessToken, ApiKey, User
from shared.users.repository import find_user_by_email

log = get_logger(__name__)


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    return user


def issue_access_token(session: Session, user: User) -> tuple[str, int]:
    ttl = app_settings().access_token_ttl_seconds
    token = new_access_token()
    session.add(
        AccessToken(
            user_id=user.id, token_hash=token_digest(token), expires_at=datetime.now(UTC) + timedelta(seconds=ttl)
        )
    )
    return token, ttl


def totp_enrollment_required(session: Session, user: User) -> bool:
    """Whether the user is staff of a practice that requires a second factor, and has none yet."""
    if user.role not in STAFF_ROLES or user.totp_enabled or user.group_id is None:
        return False
    return bool(session.scalar(select(Group.require_staff_totp).where(Group.id == user.group_id)))


def log_out(session: Session, actor: Actor) -> None:
    """Revoke the token this request came with; the user's other sign-ins stay."""
    session.execute(delete(AccessToken).where(AccessToken.id == actor.access_token_id))
    record(session, actor, "user.signed_out", "user", actor.user_id)
    log.info("signed_out", user_id=str(actor.user_id))


# Every request runs one of these: built once (building a select costs more CPU than the database
# spends answering it), reading only the columns an Actor needs, not ORM objects. Whether the user
# is active, and whether their practice still waits for them to enrol a second factor, are read in
# the same statement, so a deactivation or a new TOTP rule holds from the next request on.
# The staff roles as constants in the SQL text: an IN over bound values is expanded again on every
# execution, which cost this statement a quarter more time per request than the join did.
_STAFF_ROLE = User.role.in_([literal_column(f"'{role}'") for role in STAFF_ROLES])
_TOTP_ENROLLMENT_REQUIRED = (
    _STAFF_ROLE & User.totp_enabled_at.is_(None) & func.coalesce(Group.require_staff_totp, false())
)
_ACCESS_TOKEN_ACTOR = (
    select(
        User.role,
        User.group_id,
        User.id,
        User.client_id,
        AccessToken.id.label("access_token_id"),
        _TOTP_ENROLLMENT_REQUIRED.label("totp_enrollment_required"),
    )
    .join(AccessToken, AccessToken.user_id == User.id)
    .outerjoin(Group, Group.id == User.group_id)
    .where(
        AccessToken.token_hash == bindparam("digest"),
        AccessToken.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)
_API_KEY_ACTOR = select(ApiKey.role, ApiKey.group_id, ApiKey.id).where(
    ApiKey.key_hash == bindparam("digest"), ApiKey.revoked_at.is_(None)
)


def resolve_bearer(session: Session, credential: str) -> Actor | None:
    """The Actor behind a bearer token or API key, or None when it is unknown, expired or revoked."""
    digest = token_digest(credential)
    if credential.startswith(ACCESS_TOKEN_PREFIX):
        row = session.execute(_ACCESS_TOKEN_ACTOR, {"digest": digest, "now": datetime.now(UTC)}).one_or_none()
        if row is None:
            return None
        return Actor(
            kind=row.role,
            group_id=row.group_id,
            user_id=row.id,
            client_id=row.client_id,
            access_token_id=row.access_token_id,
            totp_enrollment_required=bool(row.totp_enrollment_required),
        )
    if credential.startswith(API_KEY_PREFIX):
        key = session.execute(_API_KEY_ACTOR, {"digest": digest}).one_or_none()
        return Actor(kind=key.role, group_id=key.group_id, api_key_id=key.id) if key else None
    return None
