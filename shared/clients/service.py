"""A practice's clients and their portal logins."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.clients.schemas import ClientCreate, ClientPatch, PortalAccessIn
from shared.errors import Conflict
from shared.logging import get_logger
from shared.security.passwords import hash_password
from shared.users.models import User
from shared.users.repository import UserRepository, find_user_by_email
from shared.users.service import add_user, check_password_strength

log = get_logger(__name__)


def _check_external_id_free(
    repo: ClientRepository, actor: Actor, external_id: str | None, own_id: uuid.UUID | None = None
) -> None:
    if not external_id:
        return
    other = repo.find_by_external_id(actor, external_id)
    if other is not None and other.id != own_id:
        raise Conflict(
            "Another client already has that external id.",
            code="external_id_taken",
            param="external_id",
            details={"client_id": str(other.id)},
        )


def create_client(session: Session, actor: Actor, data: ClientCreate) -> Client:
    repo = ClientRepository.from_session(session)
    _check_external_id_free(repo, actor, data.external_id)
    client = Client(group_id=actor.group_id, name=data.name, email=data.email, external_id=data.external_id)
    session.add(client)
    session.flush()
    # Names and emails are personal data: the audit trail keeps which fields, not their values.
    record(session, actor, "client.created", "client", client.id)
    return client


def update_client(session: Session, actor: Actor, client_id: str, data: ClientPatch) -> Client:
    repo = ClientRepository.from_session(session)
    client = repo.get_or_404(actor, client_id, param="id", for_update=True)
    changes = {f: getattr(data, f) for f in data.model_fields_set if getattr(client, f) != getattr(data, f)}
    if "external_id" in changes:
        _check_external_id_free(repo, actor, changes["external_id"], client.id)
    for field, value in changes.items():
        setattr(client, field, value)
    if changes:
        session.flush()
        record(session, actor, "client.updated", "client", client.id, data={"fields": sorted(changes)})
    return client


def grant_portal_access(session: Session, actor: Actor, client_id: str, data: PortalAccessIn) -> tuple[User, bool]:
    """Open the portal for a client, or — when it already has a login — reset that login's email and password.

    Resetting is how a biller helps a client who forgot their password; it signs the client out everywhere.
    Returns the login and whether it was created.
    """
    check_password_strength(data.password, user_inputs=[data.email])
    client = ClientRepository.from_session(session).get_or_404(actor, client_id, param="id", for_update=True)
    users = UserRepository.from_session(session)
    email = data.email.strip().lower()
    login = users.portal_user_of(client.group_id, client.id, for_update=True)
    if login is None:
        login = add_user(
            session,
            User(
                group_id=actor.group_id,
                client_id=client.id,
                email=email,
                password_hash=hash_password(data.password),
                role="client",
            ),
        )
        record(session, actor, "client.portal_access_granted", "client", client.id, data={"user_id": str(login.id)})
        log.info("portal_access_granted", client_id=str(client.id), user_id=str(login.id))
        return login, True
    if login.email != email:
        holder = find_user_by_email(session, email)
        if holder is not None and holder.id != login.id:
            raise Conflict("A user with that email already exists.", code="email_taken", param="email")
        login.email = email
    login.password_hash = hash_password(data.password)
    login.is_active = True
    users.revoke_access_tokens(login.id)
    session.flush()
    record(session, actor, "client.portal_access_reset", "client", client.id, data={"user_id": str(login.id)})
    log.info("portal_access_reset", client_id=str(client.id), user_id=str(login.id))
    return login, False


def remove_portal_access(session: Session, actor: Actor, client_id: str) -> Client:
    """Close the portal for a client: their login stops working and every sign-in of theirs ends at once.
    Their invoices and payments stay; an invitation or portal-access opens it again. Removing access a
    client does not have changes nothing."""
    client = ClientRepository.from_session(session).get_or_404(actor, client_id, param="id", for_update=True)
    users = UserRepository.from_session(session)
    login = users.portal_user_of(client.group_id, client.id, for_update=True)
    if login is None or not login.is_active:
        return client
    login.is_active = False
    ended = users.revoke_access_tokens(login.id)
    session.flush()
    record(
        session,
        actor,
        "client.portal_access_removed",
        "client",
        client.id,
        data={"user_id": str(login.id), "sign_ins_ended": ended},
    )
    log.info("portal_access_removed", client_id=str(client.id), user_id=str(login.id))
    return client
