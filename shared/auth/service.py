"""Logging in, issuing tokens, and resolving a bearer credential to an Actor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from shared.audit.service import Actor
from shared.config import app_settings
from shared.security.passwords import verify_password
from shared.security.tokens import ACCESS_TOKEN_PREFIX, API_KEY_PREFIX, new_access_token, token_digest
from shared.users.models import AccessToken, ApiKey, User


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    return user


def issue_access_token(session: Session, user: User) -> tuple[str, int]:
    ttl = app_settings().access_token_ttl_seconds
    token = new_access_token()
    session.add(AccessToken(user_id=user.id, token_hash=token_digest(token),
                            expires_at=datetime.now(UTC) + timedelta(seconds=ttl)))
    return token, ttl


def actor_for_user(user: User | Row) -> Actor:
    """From a User, or a row of its role, group_id, id and client_id."""
    return Actor(kind=user.role, group_id=user.group_id, user_id=user.id, client_id=user.client_id)


# Every request runs one of these: built once (building a select costs more CPU than the database
# spends answering it), reading only the columns an Actor needs, not ORM objects.
_ACCESS_TOKEN_ACTOR = (
    select(User.role, User.group_id, User.id, User.client_id)
    .join(AccessToken, AccessToken.user_id == User.id)
    .where(AccessToken.token_hash == bindparam("digest"), AccessToken.expires_at > bindparam("now"),
           User.is_active.is_(True))
)
_API_KEY_ACTOR = select(ApiKey.role, ApiKey.group_id, ApiKey.id).where(ApiKey.key_hash == bindparam("digest"),
                                                                        ApiKey.revoked_at.is_(None))


def resolve_bearer(session: Session, credential: str) -> Actor | None:
    """The Actor behind a bearer token or API key, or None when it is unknown, expired or revoked."""
    digest = token_digest(credential)
    if credential.startswith(ACCESS_TOKEN_PREFIX):
        user = session.execute(_ACCESS_TOKEN_ACTOR, {"digest": digest, "now": datetime.now(UTC)}).one_or_none()
        return actor_for_user(user) if user else None
    if credential.startswith(API_KEY_PREFIX):
        key = session.execute(_API_KEY_ACTOR, {"digest": digest}).one_or_none()
        return Actor(kind=key.role, group_id=key.group_id, api_key_id=key.id) if key else None
    return None
