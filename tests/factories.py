"""Build the rows a test needs: directly in the database for setup, over HTTP for what the test is about."""

from __future__ import annotations

import httpx

from shared.db.engine import session_scope
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
