"""Clients: `make_client_via_api` as a biller adds one over HTTP; `make_client` as a row in the database.
Portal logins likewise: `give_portal_access` over HTTP, `make_client_login` (and `make_client(portal=True)`)
in the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.clients.models import Client
from shared.db.engine import session_scope
from tests.factories.practices import Practice, PracticeRow
from tests.factories.users import CLIENT_PASSWORD, add_user, issue_token, login, signed_in


def make_client_via_api(
    http: httpx.Client, practice: Practice, name: str = "Dana Client", email: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A biller adds a client (POST /v1/clients). Returns the client resource."""
    body = {"name": name, "email": email or f"client-{uuid.uuid4().hex[:8]}@example.com", **fields}
    r = http.post("/v1/clients", headers=practice.biller, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def give_portal_access(
    http: httpx.Client, practice: Practice, client_id: str, email: str | None = None, password: str = CLIENT_PASSWORD
) -> str:
    """A biller opens the portal for a client; the client signs in. Returns the client's bearer token."""
    email = email or f"portal-{uuid.uuid4().hex[:8]}@example.com"
    r = http.post(
        f"/v1/clients/{client_id}/portal-access", headers=practice.biller, json={"email": email, "password": password}
    )
    assert r.status_code in (200, 201), r.text
    return login(http, email, password)


def make_client_login(
    practice: Practice, client_id: str, email: str | None = None, password: str = CLIENT_PASSWORD
) -> str:
    """A portal login for a client written straight to the database; returns its bearer token.

    Faster than `give_portal_access` (no argon2 round trips) for tests about something else.
    """
    email = email or f"portal-{uuid.uuid4().hex[:8]}@example.com"
    return issue_token(add_user(practice.group_id, email, "client", password, client_id))


@dataclass
class ClientRow:
    id: uuid.UUID
    name: str
    portal: dict[str, str] | None = None  # request headers of the client signed in to the portal


def make_client(practice: PracticeRow, name: str = "Jordan Client", *, portal: bool = False) -> ClientRow:
    """A client row; with `portal`, also a portal login for them (`.portal` headers)."""
    with session_scope() as session:
        client = Client(group_id=practice.group_id, name=name, email=f"{uuid.uuid4().hex[:8]}@clients.example")
        session.add(client)
        session.flush()
        client_id = client.id
    headers = signed_in(practice.group_id, "client", client_id) if portal else None
    return ClientRow(client_id, name, headers)
