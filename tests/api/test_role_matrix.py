"""Who may call what: every route of the practice's records, for every kind of caller.

No credentials or a bad one: 401. Operators (platform staff, no practice) and clients: 403.
Billers read everything here and write clients and services; admins also write users, API keys
and billing rates, and read the audit trail. API keys act with their role. A refused caller is
refused before the body is looked at (a junk body still answers 401/403, not 422).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import auth, make_client, make_client_login, make_rate, make_service

STAFF = {"admin", "biller", "admin_key", "biller_key"}
ADMINS = {"admin", "admin_key"}


@dataclass
class Route:
    method: str
    path: str  # formatted with the ids the test sets up
    allowed: set[str]
    ok: tuple[int, ...]
    body: Callable[[dict[str, Any]], Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _u() -> str:
    return uuid.uuid4().hex[:8]


ROUTES = [
    Route("GET", "/v1/users", STAFF, (200,)),
    Route("POST", "/v1/users", ADMINS, (201,),
          lambda ids: {"email": f"u{_u()}@example.com", "password": "long-enough-pw", "role": "biller"}),
    Route("GET", "/v1/api-keys", ADMINS, (200,)),
    Route("POST", "/v1/api-keys", ADMINS, (201,), lambda ids: {"name": "k", "role": "biller"}),
    Route("DELETE", "/v1/api-keys/{key_id}", ADMINS, (200,)),
    Route("GET", "/v1/clients", STAFF, (200,)),
    Route("POST", "/v1/clients", STAFF, (201,), lambda ids: {"name": "New client"}),
    Route("GET", "/v1/clients/{client_id}", STAFF, (200,)),
    Route("PATCH", "/v1/clients/{client_id}", STAFF, (200,), lambda ids: {"name": f"Renamed {_u()}"}),
    Route("POST", "/v1/clients/{client_id}/portal-access", STAFF, (200, 201),
          lambda ids: {"email": f"c{_u()}@example.com", "password": "long-enough-pw"}),
    Route("GET", "/v1/billing-rates", STAFF, (200,)),
    Route("POST", "/v1/billing-rates", ADMINS, (201,),
          lambda ids: {"name": "R", "amount_cents": 100, "payer": "insurance"}),
    Route("GET", "/v1/billing-rates/{rate_id}", STAFF, (200,)),
    Route("PATCH", "/v1/billing-rates/{rate_id}", ADMINS, (200,), lambda ids: {"needs_billing": True}),
    Route("POST", "/v1/billing-rates/{insurance_rate_id}/self-pay-copy", ADMINS, (200, 201)),
    Route("GET", "/v1/services", STAFF, (200,)),
    Route("POST", "/v1/services", STAFF, (201,),
          lambda ids: {"external_id": _u(), "client_id": ids["client_id"], "billing_rate_id": ids["rate_id"],
                       "service_date": "2026-03-02"}),
    Route("GET", "/v1/services/{service_id}", STAFF, (200,)),
    Route("PATCH", "/v1/services/{service_id}", STAFF, (200,), lambda ids: {"description": f"Edited {_u()}"}),
    Route("POST", "/v1/services/{service_id}/payments", STAFF, (201,),
          lambda ids: {"amount_cents": 100, "received_date": "2026-03-05"}),
    Route("GET", "/v1/audit-events", ADMINS, (200,)),
]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_may_call(http, practice, route):
    client = make_client(http, practice)
    rate = make_rate(http, practice)
    ids = {
        "client_id": client["id"],
        "rate_id": rate["id"],
        "insurance_rate_id": make_rate(http, practice, payer="insurance")["id"],
        "service_id": make_service(http, practice, client["id"], rate["id"])["id"],
        "key_id": http.post("/v1/api-keys", headers=practice.admin, json={"name": "spare", "role": "biller"}).json()["id"],
    }

    def key(role: str) -> dict[str, str]:
        return auth(http.post("/v1/api-keys", headers=practice.admin, json={"name": role, "role": role}).json()["key"])

    callers = {
        "nobody": {},
        "bad token": auth("cpt_not-a-real-token"),
        "operator": practice.operator,
        "client": auth(make_client_login(practice, client["id"])),
        "biller": practice.biller,
        "admin": practice.admin,
        "biller_key": key("biller"),
        "admin_key": key("admin"),
    }
    path = route.path.format(**ids)
    for who, headers in callers.items():
        allowed = who in route.allowed
        body = (route.body(ids) if allowed else {"junk": True}) if route.body else None
        r = http.request(route.method, path, headers=headers, json=body)
        if who in ("nobody", "bad token"):
            assert r.status_code == 401, (who, r.text)
            assert r.headers.get("www-authenticate") == "Bearer"
        elif allowed:
            assert r.status_code in route.ok, (who, r.status_code, r.text)
        else:
            assert r.status_code == 403, (who, r.status_code, r.text)
            assert r.json()["error"]["code"] == "role_forbidden"


def test_an_operator_sees_no_practices_records(http, practice):
    make_client(http, practice)
    for path in ("/v1/clients", "/v1/services", "/v1/billing-rates", "/v1/users", "/v1/audit-events"):
        r = http.get(path, headers=practice.operator)
        assert r.status_code == 403, path
        assert "data" not in r.json()
