"""Build the rows a test needs: directly in the database for setup, over HTTP for what the test is about."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from shared.auth.service import find_user_by_email, issue_access_token
from shared.db.engine import session_scope
from shared.security.passwords import hash_password
from shared.users.models import User
from shared.users.service import create_operator


def make_operator(email: str = "ops@example.com", password: str = "operator-password-1") -> None:
    with session_scope() as session:
        create_operator(session, email, password)


def login(http: httpx.Client, email: str, password: str) -> str:
    r = http.post("/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- A practice with its staff, and the records a biller keeps (helper "practice records"). ---

OPERATOR_EMAIL = "ops@example.com"
OPERATOR_PASSWORD = "operator-password-1"
STAFF_PASSWORD = "staff-password-1"
CLIENT_PASSWORD = "client-password-1"
_serial = itertools.count(1)


@dataclass
class Practice:
    """A group made by an operator over HTTP, with one admin and one biller signed in."""

    group_id: str
    name: str
    currency: str
    admin_email: str
    biller_email: str
    admin_token: str
    biller_token: str
    operator_token: str
    password: str = STAFF_PASSWORD

    @property
    def admin(self) -> dict[str, str]:
        """Headers for the practice's admin."""
        return auth(self.admin_token)

    @property
    def biller(self) -> dict[str, str]:
        """Headers for the practice's biller."""
        return auth(self.biller_token)

    @property
    def operator(self) -> dict[str, str]:
        return auth(self.operator_token)


@lru_cache
def password_hash(password: str) -> str:
    """argon2 takes ~0.5 s on a busy 2-core machine: hash each test password once per process."""
    return hash_password(password)


def issue_token(user_id: str) -> str:
    """A bearer token for a user, issued as a sign-in would (setup; tests about signing in use `login`)."""
    with session_scope() as session:
        token, _ttl = issue_access_token(session, session.get(User, uuid.UUID(str(user_id))))
        return token


def operator_token(http: httpx.Client | None = None) -> str:
    """A token for the platform operator, created on first use in this test."""
    with session_scope() as session:
        operator = find_user_by_email(session, OPERATOR_EMAIL)
        if operator is None:
            operator = User(
                group_id=None, email=OPERATOR_EMAIL, password_hash=password_hash(OPERATOR_PASSWORD), role="operator"
            )
            session.add(operator)
            session.flush()
        operator_id = str(operator.id)
    return issue_token(operator_id)


def make_staff_user(group_id: str, email: str, role: str = "biller", password: str = STAFF_PASSWORD) -> str:
    """A staff user written straight to the database (setup, not the thing under test). Returns its id."""
    with session_scope() as session:
        user = User(
            group_id=uuid.UUID(str(group_id)), email=email.lower(), password_hash=password_hash(password), role=role
        )
        session.add(user)
        session.flush()
        return str(user.id)


def make_practice(
    http: httpx.Client, name: str | None = None, currency: str = "USD", timezone: str = "America/New_York"
) -> Practice:
    """An operator creates a practice over HTTP; it gets a biller; both staff get tokens.

    Call it twice in one test for two practices: emails are unique per call.
    """
    n = next(_serial)
    slug = f"p{n}-{uuid.uuid4().hex[:6]}"
    name = name or f"Practice {n}"
    ops = operator_token(http)
    admin_email = f"admin@{slug}.example"
    r = http.post(
        "/v1/groups",
        headers=auth(ops),
        json={
            "name": name,
            "currency": currency,
            "timezone": timezone,
            "admin_email": admin_email,
            "admin_password": STAFF_PASSWORD,
        },
    )
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]
    biller_email = f"biller@{slug}.example"
    biller_id = make_staff_user(group_id, biller_email, "biller")
    with session_scope() as session:
        admin_id = str(find_user_by_email(session, admin_email).id)
    return Practice(
        group_id=group_id,
        name=name,
        currency=currency.upper(),
        admin_email=admin_email,
        biller_email=biller_email,
        admin_token=issue_token(admin_id),
        biller_token=issue_token(biller_id),
        operator_token=ops,
    )


def make_client(
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


def make_rate(
    http: httpx.Client,
    practice: Practice,
    name: str = "General Service (Self-Pay)",
    amount_cents: int = 12_000,
    payer: str = "self_pay",
    needs_billing: bool = True,
    is_invoiced: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """An admin adds a billing rate (POST /v1/billing-rates). Defaults to one that goes on invoices."""
    r = http.post(
        "/v1/billing-rates",
        headers=practice.admin,
        json={
            "name": name,
            "amount_cents": amount_cents,
            "payer": payer,
            "needs_billing": needs_billing,
            "is_invoiced": is_invoiced,
            **fields,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def make_service(
    http: httpx.Client,
    practice: Practice,
    client_id: str,
    billing_rate_id: str,
    service_date: str = "2026-03-02",
    external_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A biller pushes one service (POST /v1/services). Returns the service resource."""
    body = {
        "external_id": external_id or f"ext-{uuid.uuid4().hex[:12]}",
        "client_id": client_id,
        "billing_rate_id": billing_rate_id,
        "service_date": service_date,
        **fields,
    }
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def make_billable_services(
    http: httpx.Client, practice: Practice, count: int = 2, client_id: str | None = None, amount_cents: int = 12_000
) -> dict[str, Any]:
    """The usual start of an invoicing test: a client, a self-pay invoiced rate, `count` services on it.

    Returns {"client": ..., "rate": ..., "services": [...]}.
    """
    client = {"id": client_id} if client_id else make_client(http, practice)
    rate = make_rate(http, practice, amount_cents=amount_cents)
    services = [
        make_service(http, practice, client["id"], rate["id"], service_date=f"2026-03-{i + 1:02d}")
        for i in range(count)
    ]
    return {"client": client, "rate": rate, "services": services}


def make_client_login(
    practice: Practice, client_id: str, email: str | None = None, password: str = CLIENT_PASSWORD
) -> str:
    """A portal login for a client written straight to the database; returns its bearer token.

    Faster than `give_portal_access` (no argon2 round trips) for tests about something else.
    """
    email = email or f"portal-{uuid.uuid4().hex[:8]}@example.com"
    with session_scope() as session:
        user = User(
            group_id=uuid.UUID(practice.group_id),
            client_id=uuid.UUID(str(client_id)),
            email=email,
            password_hash=password_hash(password),
            role="client",
        )
        session.add(user)
        session.flush()
        user_id = str(user.id)
    return issue_token(user_id)
