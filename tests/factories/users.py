"""Users and their tokens: the operator, staff, portal logins; signing in over HTTP (`login`) for tests about it.

Users are written straight to the database and given a token as a sign-in would issue one: argon2 is
slow on purpose, so each test password is hashed once per process (`password_hash`).
"""

from __future__ import annotations

import uuid
from functools import lru_cache

import httpx

from shared.auth.service import issue_access_token
from shared.db.engine import session_scope
from shared.security.passwords import hash_password
from shared.users.models import User
from shared.users.repository import find_user_by_email
from shared.users.service import create_operator

OPERATOR_EMAIL = "ops@example.com"
OPERATOR_PASSWORD = "operator-password-1"
STAFF_PASSWORD = "staff-password-1"
CLIENT_PASSWORD = "client-password-1"


def make_operator(email: str = OPERATOR_EMAIL, password: str = OPERATOR_PASSWORD) -> None:
    """The platform operator, made as the CLI makes one (`create_operator`, which hashes the password)."""
    with session_scope() as session:
        create_operator(session, email, password)


def login(http: httpx.Client, email: str, password: str) -> str:
    """Sign in over HTTP (POST /v1/auth/token). Returns the bearer token."""
    r = http.post("/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@lru_cache
def password_hash(password: str) -> str:
    """argon2 takes ~0.5 s on a busy 2-core machine: hash each test password once per process."""
    return hash_password(password)


def add_user(
    group_id: str | uuid.UUID | None,
    email: str,
    role: str,
    password: str = STAFF_PASSWORD,
    client_id: str | uuid.UUID | None = None,
) -> str:
    """A user row written straight to the database. Returns its id."""
    with session_scope() as session:
        user = User(
            group_id=uuid.UUID(str(group_id)) if group_id is not None else None,
            client_id=uuid.UUID(str(client_id)) if client_id is not None else None,
            email=email,
            password_hash=password_hash(password),
            role=role,
        )
        session.add(user)
        session.flush()
        return str(user.id)


def issue_token(user_id: str | uuid.UUID) -> str:
    """A bearer token for a user, issued as a sign-in would (setup; tests about signing in use `login`)."""
    with session_scope() as session:
        token, _ttl = issue_access_token(session, session.get(User, uuid.UUID(str(user_id))))
        return token


def operator_token(http: httpx.Client | None = None) -> str:
    """A token for the platform operator, created on first use in this test."""
    with session_scope() as session:
        operator = find_user_by_email(session, OPERATOR_EMAIL)
        operator_id = str(operator.id) if operator is not None else None
    if operator_id is None:
        operator_id = add_user(None, OPERATOR_EMAIL, "operator", OPERATOR_PASSWORD)
    return issue_token(operator_id)


def make_staff_user(group_id: str, email: str, role: str = "biller", password: str = STAFF_PASSWORD) -> str:
    """A staff user written straight to the database (setup, not the thing under test). Returns its id."""
    return add_user(group_id, email.lower(), role, password)


def signed_in(group_id: uuid.UUID, role: str, client_id: uuid.UUID | None = None) -> dict[str, str]:
    """Request headers of a new user of `role` (an address of its own), its token issued directly."""
    email = f"{role}-{uuid.uuid4().hex[:12]}@factories.example"
    return auth(
        issue_token(add_user(group_id, email, role, CLIENT_PASSWORD if role == "client" else STAFF_PASSWORD, client_id))
    )
