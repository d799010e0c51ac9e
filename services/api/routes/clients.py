"""A practice's clients (billers and admins) and opening the portal for them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from services.api.deps import CurrentStaff, SessionDep
from services.api.idempotent import IdempotencyKey, once
from services.api.lists import ListOut, PageQuery, listed
from shared.accounts import service as accounts
from shared.accounts.schemas import INVITATION_SENT, ClientInvitationIn, InvitationOut
from shared.clients import service
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.clients.schemas import ClientCreate, ClientOut, ClientPatch, PortalAccessIn
from shared.reminders import service as reminders
from shared.reports.client_balances import client_activity
from shared.text import text
from shared.users.repository import UserRepository

router = APIRouter(prefix="/v1/clients", tags=["clients"])


def _out(session: Session, client: Client) -> ClientOut:
    emails = UserRepository.from_session(session).portal_emails(client.group_id, [client.id])
    activity = client_activity(session, client.group_id, [client.id])
    return ClientOut.build(client, emails.get(client.id), activity.get(client.id))


@router.get("", response_model=ListOut[ClientOut])
def list_clients(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    email: Annotated[text(max_length=320) | None, Query()] = None,
    external_id: Annotated[text(max_length=128) | None, Query()] = None,
    q: Annotated[text(max_length=200) | None, Query(description="Any part of the name or email, in any case.")] = None,
) -> ListOut[ClientOut]:
    """Newest first, each with what they owe now and their last activity."""
    page = ClientRepository.from_session(session).list_page(
        actor, **asked.kwargs(), email=email, external_id=external_id, search=q
    )
    ids = [c.id for c in page.data]
    emails = UserRepository.from_session(session).portal_emails(actor, ids)
    activity = client_activity(session, actor.practice_id, ids)
    return listed(ClientOut, page, lambda c: ClientOut.build(c, emails.get(c.id), activity.get(c.id)))


@router.post("", status_code=201, response_model=ClientOut)
def create_client(
    body: ClientCreate,
    actor: CurrentStaff,
    session: SessionDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Send an `Idempotency-Key` to retry safely: the same key and body answer the same client."""
    return once(
        session,
        actor,
        response,
        idempotency_key,
        "clients.create",
        body,
        201,
        lambda: _out(session, service.create_client(session, actor, body)),
    )


@router.get("/{client_id}", response_model=ClientOut)
def get_client(client_id: str, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    return _out(session, ClientRepository.from_session(session).get_or_404(actor, client_id, param="id"))


@router.patch("/{client_id}", response_model=ClientOut)
def update_client(client_id: str, body: ClientPatch, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    return _out(session, service.update_client(session, actor, client_id, body))


@router.post("/{client_id}/stop-reminders", response_model=ClientOut)
def stop_reminders(client_id: str, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    """Stop the client's payment reminders, as their own link in a reminder does (audited: who, when).
    Invoice emails and receipts still go. Already stopped: nothing changes (200)."""
    return _out(session, reminders.set_stopped_by_staff(session, actor, client_id, stopped=True))


@router.post("/{client_id}/resume-reminders", response_model=ClientOut)
def resume_reminders(client_id: str, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    """Send the client payment reminders again — for a client who stopped them and asked for them back
    (audited: who, when). The schedule's next run (every 10 minutes) sends the latest step that has come,
    once; the steps missed meanwhile are not sent on top of it. Not stopped: nothing changes (200)."""
    return _out(session, reminders.set_stopped_by_staff(session, actor, client_id, stopped=False))


@router.delete("/{client_id}/portal-access", response_model=ClientOut)
def remove_portal_access(client_id: str, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    """The client's portal login stops working and every sign-in of theirs ends now (audited). Their
    records stay; an invitation opens the portal again. Without access, nothing changes (200)."""
    return _out(session, service.remove_portal_access(session, actor, client_id))


@router.post(
    "/{client_id}/portal-access",
    status_code=201,
    response_model=ClientOut,
    responses={
        200: {
            "description": "The client already had a login: its email and password were reset "
            "and it was signed out everywhere.",
            "model": ClientOut,
        }
    },
)
def grant_portal_access(
    client_id: str, body: PortalAccessIn, actor: CurrentStaff, session: SessionDep, response: Response
) -> ClientOut:
    _login, created = service.grant_portal_access(session, actor, client_id, body)
    if not created:
        response.status_code = 200
    client = ClientRepository.from_session(session).get_or_404(actor, client_id, param="id")
    return _out(session, client)


@router.post("/{client_id}/invitations", status_code=202, response_model=InvitationOut)
def invite_client(client_id: str, body: ClientInvitationIn, actor: CurrentStaff, session: SessionDep) -> InvitationOut:
    """Invite the client to the portal: the address is emailed a single-use link to set a password
    (valid CLINICPAY_INVITATION_TTL_SECONDS, 7 days). An address that already has a login, at this
    practice or another, is answered the same; its owner is emailed to sign in instead, and no second
    login is made. The staff-chosen password of POST /{id}/portal-access stays for the front desk."""
    client = accounts.invite_client(session, actor, client_id, body.email)
    return InvitationOut(message=INVITATION_SENT, email=body.email.strip().lower(), role="client", client_id=client.id)
