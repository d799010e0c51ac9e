"""Invitations and password resets: single-use links emailed to a person.

Nothing answered here tells whether an address has a login. Asking for a reset, and inviting an
address, do the same work and answer the same whatever the address: one outbox row (the email is
sent by the worker, so SMTP is not in the request's time). What differs is only the email its owner
receives: a link to set a password, or — when the address already has a login (logins are unique
across the platform) or has none to reset — a note saying so.

Tokens are stored as their SHA-256 (account_tokens.digest); a used, superseded or expired token,
and an unknown one, all answer 422 `token_invalid`. Using one ends every sign-in of the account.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from shared.accounts.models import AccountToken
from shared.actor import SYSTEM, Actor
from shared.audit.service import record
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.config import app_settings
from shared.errors import Conflict, ValidationFailed
from shared.groups.models import Group
from shared.logging import get_logger
from shared.outbox import service as outbox
from shared.security.passwords import hash_password
from shared.security.tokens import INVITE_TOKEN_PREFIX, RESET_TOKEN_PREFIX, new_account_token, token_digest
from shared.users.models import User
from shared.users.repository import UserRepository, find_user_by_email
from shared.users.service import add_user, check_password_strength

log = get_logger(__name__)


def invitation_ttl_seconds() -> int:
    return app_settings().invitation_ttl_seconds


def reset_ttl_seconds() -> int:
    return app_settings().password_reset_ttl_seconds


def token_invalid() -> ValidationFailed:
    return ValidationFailed(
        "This link has expired or was already used. Ask for a new one.", code="token_invalid", param="token"
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _issue(session: Session, prefix: str, ttl_seconds: int, **fields: object) -> tuple[AccountToken, str]:
    token = new_account_token(prefix)
    row = AccountToken(digest=token_digest(token), expires_at=_now() + timedelta(seconds=ttl_seconds), **fields)
    session.add(row)
    session.flush()
    return row, token


def _take(session: Session, token: str, purpose: str) -> AccountToken:
    """The usable token of that purpose, locked for this transaction, or 422 `token_invalid`."""
    row = session.scalar(
        select(AccountToken)
        .where(AccountToken.digest == token_digest(token), AccountToken.purpose == purpose)
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= _now():
        raise token_invalid()
    return row


def _end_unused(session: Session, *conditions: ColumnElement[bool]) -> None:
    session.execute(update(AccountToken).where(AccountToken.used_at.is_(None), *conditions).values(used_at=_now()))


# --- password reset ---------------------------------------------------------------------------------


def request_password_reset(session: Session, email: str) -> None:
    """ "Forgot password?": an active login gets a reset link; any other address a note that no active
    login uses it. The caller is answered the same either way (the route does not look at this)."""
    address = email.strip().lower()
    user = find_user_by_email(session, address)
    if user is None or not user.is_active:
        outbox.password_reset_no_account(session, address=address)
        log.info("password_reset_requested")
        return
    _end_unused(session, AccountToken.user_id == user.id, AccountToken.purpose == "reset")
    ttl = reset_ttl_seconds()
    row, token = _issue(session, RESET_TOKEN_PREFIX, ttl, purpose="reset", user_id=user.id, group_id=user.group_id)
    group = session.get(Group, user.group_id) if user.group_id else None
    outbox.password_reset(session, group, token_id=row.id, token=token, address=user.email, ttl_seconds=ttl)
    record(session, SYSTEM, "user.password_reset_requested", "user", user.id, group_id=user.group_id)
    log.info("password_reset_requested")


def complete_password_reset(session: Session, token: str, password: str) -> User:
    """Set the new password; the link is spent and every sign-in of the account ends."""
    row = _take(session, token, "reset")
    user = session.get(User, row.user_id, with_for_update=True)
    if user is None or not user.is_active:
        raise token_invalid()
    check_password_strength(password, user_inputs=[user.email])  # 422: the link stays usable
    user.password_hash = hash_password(password)
    _spend(session, row, user)
    actor = Actor(kind=user.role, group_id=user.group_id, user_id=user.id, client_id=user.client_id)
    record(session, actor, "user.password_reset", "user", user.id, group_id=user.group_id)
    log.info("password_reset", user_id=str(user.id))
    return user


def _spend(session: Session, row: AccountToken, user: User) -> None:
    row.used_at = _now()
    _end_unused(session, AccountToken.user_id == user.id)
    UserRepository.from_session(session).revoke_access_tokens(user.id)
    session.flush()


# --- invitations ------------------------------------------------------------------------------------


def invite_client(session: Session, actor: Actor, client_id: str, email: str) -> Client:
    """Staff invite a client of theirs to the portal (another practice's client: 404)."""
    client = ClientRepository.from_session(session).get_or_404(actor, client_id, param="id", for_update=True)
    _invite(session, actor, email, "client", client)
    record(session, actor, "client.portal_invitation_sent", "client", client.id)
    return client


def invite_staff(session: Session, actor: Actor, email: str, role: str) -> None:
    """An admin invites a colleague as an admin or a biller."""
    _invite(session, actor, email, role, None)
    record(session, actor, "user.invitation_sent", "group", actor.group_id, data={"role": role})


def _invite(session: Session, actor: Actor, email: str, role: str, client: Client | None) -> None:
    address = email.strip().lower()
    group = session.get(Group, actor.practice_id)
    assert group is not None  # the actor's practice
    greeting = outbox.first_name(client.name) if client else None
    if find_user_by_email(session, address) is not None:
        outbox.account_exists(session, group, address=address, role=role, greeting_name=greeting)
        log.info("invitation_sent", role=role)
        return
    # A new invitation to the same address from this practice replaces the earlier ones.
    _end_unused(
        session, AccountToken.purpose == "invite", AccountToken.group_id == group.id, AccountToken.email == address
    )
    ttl = invitation_ttl_seconds()
    row, token = _issue(
        session,
        INVITE_TOKEN_PREFIX,
        ttl,
        purpose="invite",
        group_id=group.id,
        email=address,
        role=role,
        client_id=client.id if client else None,
        created_by_user_id=actor.user_id,
    )
    outbox.invitation(
        session,
        group,
        token_id=row.id,
        token=token,
        address=address,
        role=role,
        greeting_name=greeting,
        ttl_seconds=ttl,
    )
    log.info("invitation_sent", role=role)


def accept_invitation(session: Session, token: str, password: str) -> User:
    """Make the invited login with this password — or, for a client that has a portal login already,
    move that login to the invited address and set its password (its sign-ins end). An address that
    got a login since the invitation was sent answers 409 `email_taken`: logins are unique platform-wide."""
    row = _take(session, token, "invite")
    address = row.email or ""
    check_password_strength(password, user_inputs=[address])
    group = session.get(Group, row.group_id)
    if group is None:
        raise token_invalid()
    login = None
    if row.client_id is not None:
        login = UserRepository.from_session(session).portal_user_of(row.group_id, row.client_id, for_update=True)
    if login is None:
        login = add_user(
            session,
            User(
                group_id=row.group_id,
                client_id=row.client_id,
                email=address,
                password_hash=hash_password(password),
                role=row.role or "client",
            ),
        )
    else:
        holder = find_user_by_email(session, address)
        if holder is not None and holder.id != login.id:
            raise Conflict("A user with that email already exists.", code="email_taken", param="token")
        login.email = address
        login.password_hash = hash_password(password)
        login.is_active = True
    _spend(session, row, login)
    # Every other invitation of this address is spent too: the address has its login now.
    _end_unused(session, AccountToken.purpose == "invite", AccountToken.email == address)
    actor = Actor(kind=login.role, group_id=login.group_id, user_id=login.id, client_id=login.client_id)
    record(session, actor, "user.invitation_accepted", "user", login.id, data={"role": login.role})
    log.info("invitation_accepted", user_id=str(login.id), role=login.role)
    return login
