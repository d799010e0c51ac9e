"""Staff users, client portal logins, operators and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.actor import SYSTEM, Actor
from shared.audit.service import record
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.logging import get_logger
from shared.security.attempts import SignInAttempts
from shared.security.passwords import MIN_PASSWORD_LENGTH, hash_password, password_weakness, verify_password
from shared.security.tokens import new_api_key, token_digest
from shared.text import Email
from shared.users.models import ApiKey, User
from shared.users.repository import ApiKeyRepository, UserRepository, find_user_by_email
from shared.users.schemas import ApiKeyCreate, PasswordChange, StaffUserCreate, StaffUserPatch

log = get_logger(__name__)
_EMAIL = TypeAdapter(Email)


def api_key_refused() -> Forbidden:
    """What a person may do and a practice's API key may not: anything that makes or changes who can
    sign in (users, roles, keys, second factors, the practice's TOTP rule), and signing out."""
    return Forbidden(
        "An API key may not do this: sign in as a staff member. (To stop a key, revoke it: DELETE /v1/api-keys/{id}.)",
        code="api_key_forbidden",
    )


def check_password_strength(password: str, param: str = "password", *, user_inputs: Sequence[str] = ()) -> None:
    """Every password that is set — staff, clients, operators, by the API or the `clinicpay` command.

    At least MIN_PASSWORD_LENGTH characters, and not easy to guess: zxcvbn (Dropbox's estimator,
    with its lists of common passwords, names and words, keyboard walks, repeats and sequences)
    must rate it 3 of 4 or better — fewer than about 10^10 guesses is refused. `user_inputs` (the
    email, the practice's name) count as known words, so "<practice name>2024" is weak too.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.", code="password_too_short", param=param
        )
    weakness = password_weakness(password, user_inputs)
    if weakness:
        raise ValidationFailed(
            f"The password is too easy to guess: {weakness} A few unrelated words together make a strong one.",
            code="password_too_weak",
            param=param,
        )


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
    """The `clinicpay` command's operator: the same rules for the email and password as the API's."""
    try:
        email = _EMAIL.validate_python(email)
    except ValidationError as exc:
        raise ValidationFailed(f"The email is not valid: {exc.errors()[0]['msg']}", param="email") from None
    check_password_strength(password, user_inputs=[email])
    user = add_user(
        session,
        User(group_id=None, email=email.strip().lower(), password_hash=hash_password(password), role="operator"),
    )
    record(session, SYSTEM, "user.created", "user", user.id, data={"role": "operator"})
    return user


def create_staff_user(session: Session, actor: Actor, data: StaffUserCreate) -> User:
    check_password_strength(data.password, user_inputs=[data.email])
    user = add_user(
        session,
        User(
            group_id=actor.group_id,
            email=data.email.strip().lower(),
            password_hash=hash_password(data.password),
            role=data.role,
        ),
    )
    record(session, actor, "user.created", "user", user.id, data={"role": data.role})
    log.info("staff_user_created", user_id=str(user.id), role=data.role)
    return user


def update_staff_user(session: Session, actor: Actor, user_id: str, data: StaffUserPatch) -> tuple[User, list[ApiKey]]:
    """An admin changes a colleague's role or deactivates (or reactivates) them.

    A change that would leave the practice with no active admin — an admin demoting or deactivating
    themselves, or the last other admin — is refused (409 `last_admin`): nobody could undo it. The
    practice's active admins are locked first, so two admins demoting each other at once cannot both succeed.
    Deactivating ends every sign-in of the user at once (and reactivating does not bring them back).
    Returns the user and the API keys they created, which stay the practice's.
    """
    users = UserRepository.from_session(session)
    # Under the lock, the caller's own standing again: another admin may have demoted them a moment ago.
    if actor.user_id not in users.lock_active_admin_ids(actor):
        raise Forbidden("Your role may not do this.", code="role_forbidden")
    user = users.get_staff(actor, user_id, for_update=True)
    role = data.role if data.role is not None else user.role
    is_active = data.is_active if data.is_active is not None else user.is_active
    stops_being_an_admin = user.role == "admin" and user.is_active and not (role == "admin" and is_active)
    if stops_being_an_admin and users.active_admin_ids(actor) == {user.id}:
        raise Conflict(
            "The practice needs at least one active admin: make someone else an admin first.",
            code="last_admin",
            param="role" if role != "admin" else "is_active",
        )
    if role != user.role:
        record(session, actor, "user.role_changed", "user", user.id, data={"from": user.role, "to": role})
        log.info("staff_role_changed", user_id=str(user.id), role=role)
        user.role = role
    if is_active != user.is_active:
        user.is_active = is_active
        ended = 0 if is_active else users.revoke_access_tokens(user.id)
        action = "user.reactivated" if is_active else "user.deactivated"
        record(session, actor, action, "user", user.id, data={} if is_active else {"sign_ins_ended": ended})
        log.info("staff_user_" + action.split(".")[1], user_id=str(user.id))
    session.flush()
    return user, ApiKeyRepository.from_session(session).created_by(actor, user.id)


def change_password(session: Session, actor: Actor, data: PasswordChange, attempts: SignInAttempts) -> int:
    """The caller changes their own password, proving they know the current one (a wrong one counts
    as a failed sign-in). Every other sign-in of theirs ends; the token of this request stays, so the
    page they are on keeps working. Returns how many sign-ins ended."""
    user = session.get(User, actor.user_id, with_for_update=True)
    assert user is not None  # the bearer lookup just found this user, and users are never deleted
    attempts.check(user.email)
    if not verify_password(user.password_hash, data.current_password):
        attempts.failed(user.email)
        raise ValidationFailed(
            "That is not your current password.", code="invalid_current_password", param="current_password"
        )
    attempts.succeeded(user.email)  # the current password was right, whatever follows
    check_password_strength(data.new_password, param="new_password", user_inputs=[user.email])
    if data.new_password == data.current_password:
        raise ValidationFailed(
            "The new password is the same as the current one.", code="password_unchanged", param="new_password"
        )
    user.password_hash = hash_password(data.new_password)
    ended = UserRepository.from_session(session).revoke_access_tokens(user.id, keep=actor.access_token_id)
    session.flush()
    record(session, actor, "user.password_changed", "user", user.id, data={"other_sign_ins_ended": ended})
    log.info("password_changed", user_id=str(user.id))
    return ended


def create_api_key(session: Session, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """Returns the row and the key itself; only the key's SHA-256 is stored, so this is the one chance to show it."""
    secret = new_api_key()
    key = ApiKey(
        group_id=actor.group_id,
        name=data.name,
        role=data.role,
        key_hash=token_digest(secret),
        key_last4=secret[-4:],
        created_by_user_id=actor.user_id,
    )
    session.add(key)
    session.flush()
    session.refresh(key, ["created_at"])
    record(session, actor, "api_key.created", "api_key", key.id, data={"name": data.name, "role": data.role})
    log.info("api_key_created", api_key_id=str(key.id), role=data.role)
    return key, secret


def revoke_api_key(session: Session, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    """Revoking twice is harmless: the first revocation time stays."""
    key = ApiKeyRepository.from_session(session).get_or_404(actor, key_id, for_update=True)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
        record(session, actor, "api_key.revoked", "api_key", key.id, data={"name": key.name})
        log.info("api_key_revoked", api_key_id=str(key.id))
    return key
