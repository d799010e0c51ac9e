"""Staff users, client portal logins, operators and API keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.audit.service import SYSTEM, Actor, record
from shared.auth.service import find_user_by_email
from shared.errors import Conflict, ValidationFailed
from shared.logging import get_logger
from shared.security.passwords import MIN_PASSWORD_LENGTH, hash_password
from shared.security.tokens import new_api_key, token_digest
from shared.users.models import ApiKey, User
from shared.users.repository import ApiKeyRepository
from shared.users.schemas import ApiKeyCreate, StaffUserCreate

log = get_logger(__name__)


def check_password_strength(password: str, param: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.",
                               code="password_too_short", param=param)


def _email_taken(param: str) -> Conflict:
    return Conflict("A user with that email already exists.", code="email_taken", param=param)


def add_user(session: Session, user: User, *, param: str = "email") -> User:
    """Insert a user; an email already in use (even by a concurrent request) is 409 `email_taken`.

    An email is one user across the whole platform, so the check is not scoped to a group.
    """
    if find_user_by_email(session, user.email) is not None:
        raise _email_taken(param)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise _email_taken(param) from None
    return user


def create_operator(session: Session, email: str, password: str) -> User:
    check_password_strength(password)
    user = add_user(session, User(group_id=None, email=email.strip().lower(), password_hash=hash_password(password),
                                  role="operator"))
    record(session, SYSTEM, "user.created", "user", user.id, data={"role": "operator"})
    return user


def create_staff_user(session: Session, actor: Actor, data: StaffUserCreate) -> User:
    check_password_strength(data.password)
    user = add_user(session, User(group_id=actor.group_id, email=data.email.strip().lower(),
                                  password_hash=hash_password(data.password), role=data.role))
    record(session, actor, "user.created", "user", user.id, data={"role": data.role})
    log.info("staff_user_created", user_id=str(user.id), role=data.role)
    return user


def create_api_key(session: Session, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """Returns the row and the key itself; only the key's SHA-256 is stored, so this is the one chance to show it."""
    secret = new_api_key()
    key = ApiKey(group_id=actor.group_id, name=data.name, role=data.role, key_hash=token_digest(secret),
                 key_last4=secret[-4:], created_by_user_id=actor.user_id)
    session.add(key)
    session.flush()
    session.refresh(key, ["created_at"])
    record(session, actor, "api_key.created", "api_key", key.id, data={"name": data.name, "role": data.role})
    log.info("api_key_created", api_key_id=str(key.id), role=data.role)
    return key, secret


def revoke_api_key(session: Session, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    """Revoking twice is harmless: the first revocation time stays."""
    key = ApiKeyRepository.from_session(session).get(actor.group_id, key_id, for_update=True)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
        record(session, actor, "api_key.revoked", "api_key", key.id, data={"name": key.name})
        log.info("api_key_revoked", api_key_id=str(key.id))
    return key
