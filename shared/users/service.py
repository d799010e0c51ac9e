"""Staff users, client portal logins, operators and API keys."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.audit.service import SYSTEM, record
from shared.auth.service import find_user_by_email
from shared.errors import Conflict, ValidationFailed
from shared.security.passwords import MIN_PASSWORD_LENGTH, hash_password
from shared.users.models import User


def check_password_strength(password: str, param: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.",
                               code="password_too_short", param=param)


def create_operator(session: Session, email: str, password: str) -> User:
    check_password_strength(password)
    if find_user_by_email(session, email) is not None:
        raise Conflict("A user with that email already exists.", code="email_taken", param="email")
    user = User(group_id=None, email=email.strip().lower(), password_hash=hash_password(password), role="operator")
    session.add(user)
    session.flush()
    record(session, SYSTEM, "user.created", "user", user.id, data={"role": "operator"})
    return user
