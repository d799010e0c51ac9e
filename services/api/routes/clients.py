"""A practice's clients (billers and admins) and opening the portal for them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from services.api.deps import CurrentStaff, SessionDep
from services.api.idempotent import IdempotencyKey, once
from services.api.lists import DEFAULT_LIMIT, Limit, ListOut, StartingAfter
from shared.clients import service
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.clients.schemas import ClientCreate, ClientOut, ClientPatch, PortalAccessIn
from shared.db.pagination import paginate
from shared.users.repository import UserRepository

router = APIRouter(prefix="/v1/clients", tags=["clients"])


def _out(session: Session, client: Client) -> ClientOut:
    emails = UserRepository.from_session(session).portal_emails([client.id])
    return ClientOut.build(client, emails.get(client.id))


@router.get("", response_model=ListOut[ClientOut])
def list_clients(actor: CurrentStaff, session: SessionDep, limit: Limit = DEFAULT_LIMIT,
                 starting_after: StartingAfter = None,
                 email: Annotated[str | None, Query(max_length=320)] = None,
                 external_id: Annotated[str | None, Query(max_length=128)] = None) -> ListOut[ClientOut]:
    stmt = ClientRepository.from_session(session).list_stmt(actor.group_id, email=email, external_id=external_id)
    page = paginate(session, stmt, Client, limit=limit, starting_after=starting_after)
    emails = UserRepository.from_session(session).portal_emails([c.id for c in page.data])
    return ListOut[ClientOut](data=[ClientOut.build(c, emails.get(c.id)) for c in page.data],
                              has_more=page.has_more)


@router.post("", status_code=201, response_model=ClientOut)
def create_client(body: ClientCreate, actor: CurrentStaff, session: SessionDep, response: Response,
                  idempotency_key: IdempotencyKey = None) -> Any:
    """Send an `Idempotency-Key` to retry safely: the same key and body answer the same client."""
    return once(session, actor, response, idempotency_key, "clients.create", body, 201,
                lambda: _out(session, service.create_client(session, actor, body)))


@router.get("/{client_id}", response_model=ClientOut)
def get_client(client_id: str, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    return _out(session, ClientRepository.from_session(session).get(actor.group_id, client_id, param="id"))


@router.patch("/{client_id}", response_model=ClientOut)
def update_client(client_id: str, body: ClientPatch, actor: CurrentStaff, session: SessionDep) -> ClientOut:
    return _out(session, service.update_client(session, actor, client_id, body))


@router.post("/{client_id}/portal-access", status_code=201, response_model=ClientOut,
             responses={200: {"description": "The client already had a login: its email and password were reset "
                                             "and it was signed out everywhere.", "model": ClientOut}})
def grant_portal_access(client_id: str, body: PortalAccessIn, actor: CurrentStaff, session: SessionDep,
                        response: Response) -> ClientOut:
    _login, created = service.grant_portal_access(session, actor, client_id, body)
    if not created:
        response.status_code = 200
    client = ClientRepository.from_session(session).get(actor.group_id, client_id, param="id")
    return _out(session, client)
