"""Who may call what: every route of the practice's records, for every kind of caller.

No credentials or a bad one: 401. Operators (platform staff, no practice) and clients: 403.
Billers read everything here and write clients and services; admins also write users, API keys,
billing rates and the practice's settings and logo, and read the audit trail. API keys act with their role — except for what
changes who can sign in (adding users, minting keys, changing a role, deactivating, second
factors, signing out): there even an admin key is refused, 403 `api_key_forbidden`. Every person
may sign out and change their own password; staff and operators may enrol a second factor. A
refused caller is refused before the body is looked at (a junk body still answers 401/403, not 422).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from shared.alerts.service import raise_alert
from shared.db.engine import session_scope
from tests.factories import (
    auth,
    make_client_login,
    make_client_via_api,
    make_invoice,
    make_rate_via_api,
    make_service_via_api,
    make_staff_user,
)

STAFF = {"admin", "biller", "admin_key", "biller_key"}
ADMINS = {"admin", "admin_key"}
PEOPLE = {"operator", "admin", "biller", "client"}
TOTP_USERS = {"operator", "admin", "biller"}
KEYS = {"admin_key": "admin", "biller_key": "biller"}


@dataclass
class Route:
    method: str
    path: str  # formatted with the ids the test sets up
    allowed: set[str]
    ok: tuple[int, ...]
    body: Callable[[dict[str, Any]], Any] | None = None
    # Refused to API keys whatever their role (403 api_key_forbidden); `allowed` names the people.
    people_only: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _alert(practice) -> str:
    with session_scope() as session:
        return str(
            raise_alert(
                session,
                group_id=uuid.UUID(practice.group_id),
                kind="email_undeliverable",
                dedupe_key=f"role-matrix:{_u()}",
                message="An email to a client bounced.",
            )
        )


def _u() -> str:
    return uuid.uuid4().hex[:8]


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (30, 110, 160)).save(out, "PNG")
    return out.getvalue()


ROUTES = [
    Route("GET", "/v1/users", STAFF, (200,)),
    Route(
        "POST",
        "/v1/users",
        {"admin"},
        (201,),
        lambda ids: {"email": f"u{_u()}@example.com", "password": "long-enough-pw", "role": "biller"},
        people_only=True,
    ),
    Route("GET", "/v1/users/{user_id}", STAFF, (200,)),
    Route("PATCH", "/v1/users/{user_id}", {"admin"}, (200,), lambda ids: {"role": "biller"}, people_only=True),
    Route("DELETE", "/v1/users/{user_id}/totp", {"admin"}, (200,), people_only=True),
    Route("GET", "/v1/api-keys", ADMINS, (200,)),
    Route("POST", "/v1/api-keys", {"admin"}, (201,), lambda ids: {"name": "k", "role": "biller"}, people_only=True),
    Route("DELETE", "/v1/api-keys/{key_id}", ADMINS, (200,)),
    Route("GET", "/v1/clients", STAFF, (200,)),
    Route("POST", "/v1/clients", STAFF, (201,), lambda ids: {"name": "New client"}),
    Route("GET", "/v1/clients/{client_id}", STAFF, (200,)),
    Route("PATCH", "/v1/clients/{client_id}", STAFF, (200,), lambda ids: {"name": f"Renamed {_u()}"}),
    Route(
        "POST",
        "/v1/clients/{client_id}/portal-access",
        STAFF,
        (200, 201),
        lambda ids: {"email": f"c{_u()}@example.com", "password": "long-enough-pw"},
    ),
    Route(
        "POST",
        "/v1/clients/{client_id}/invitations",
        STAFF,
        (202,),
        lambda ids: {"email": f"c{_u()}@example.com"},
    ),
    Route(
        "POST",
        "/v1/users/invitations",
        {"admin"},
        (202,),
        lambda ids: {"email": f"u{_u()}@example.com", "role": "biller"},
        people_only=True,
    ),
    Route("GET", "/v1/billing-rates", STAFF, (200,)),
    Route(
        "POST",
        "/v1/billing-rates",
        ADMINS,
        (201,),
        lambda ids: {"name": "R", "amount_cents": 100, "payer": "insurance"},
    ),
    Route("GET", "/v1/billing-rates/{rate_id}", STAFF, (200,)),
    Route("PATCH", "/v1/billing-rates/{rate_id}", ADMINS, (200,), lambda ids: {"needs_billing": True}),
    Route("POST", "/v1/billing-rates/{insurance_rate_id}/self-pay-copy", ADMINS, (200, 201)),
    Route("GET", "/v1/services", STAFF, (200,)),
    Route(
        "POST",
        "/v1/services",
        STAFF,
        (201,),
        lambda ids: {
            "external_id": _u(),
            "client_id": ids["client_id"],
            "billing_rate_id": ids["rate_id"],
            "service_date": "2026-03-02",
        },
    ),
    Route("GET", "/v1/services/{service_id}", STAFF, (200,)),
    Route("PATCH", "/v1/services/{service_id}", STAFF, (200,), lambda ids: {"description": f"Edited {_u()}"}),
    Route(
        "POST",
        "/v1/services/{service_id}/payments",
        STAFF,
        (201,),
        lambda ids: {"amount_cents": 100, "received_date": "2026-03-05"},
    ),
    Route("GET", "/v1/audit-events", ADMINS, (200,)),
    Route("GET", "/v1/settings", STAFF, (200,)),
    Route("PATCH", "/v1/settings", ADMINS, (200,), lambda ids: {"phone": "+1 555 010 0199"}),
    Route("PUT", "/v1/settings/logo", ADMINS, (200,), lambda ids: _logo()),  # an image body, not JSON
    Route("GET", "/v1/settings/logo", STAFF, (200,)),
    Route("DELETE", "/v1/settings/logo", ADMINS, (204,)),
    # A person's own sign-in. Signing out ends the caller's token: each caller is the last to use its own.
    Route("POST", "/v1/auth/logout", PEOPLE, (204,), people_only=True),
    # A wrong current password (422 invalid_current_password) shows the caller got past the guard.
    Route(
        "POST",
        "/v1/me/password",
        PEOPLE,
        (422,),
        lambda ids: {"current_password": "not-the-password", "new_password": "a-new-long-password"},
        people_only=True,
    ),
    Route("POST", "/v1/me/totp", TOTP_USERS, (201,), people_only=True),
    Route("POST", "/v1/me/totp/confirm", TOTP_USERS, (409,), lambda ids: {"code": "123456"}, people_only=True),
    Route("POST", "/v1/me/totp/disable", TOTP_USERS, (409,), lambda ids: {"code": "123456"}, people_only=True),
    Route("GET", "/v1/alerts", STAFF, (200,)),
    # The first staff caller resolves it; the next ones are told it is resolved already (409).
    Route("POST", "/v1/alerts/{alert_id}/resolve", STAFF, (200, 409)),
    Route("DELETE", "/v1/clients/{client_id}/portal-access", STAFF, (200,)),
    # The staff console's reads: an invoice's timeline, a client's payments, collections per month.
    Route("GET", "/v1/invoices/{invoice_id}/timeline", STAFF, (200,)),
    Route("GET", "/v1/payments?client_id={client_id}", STAFF, (200,)),
    Route("GET", "/v1/payments/{payment_id}/receipt", STAFF, (200,)),
    Route("GET", "/v1/reports/collections", STAFF, (200,)),
    Route("GET", "/v1/reports/collections.csv", STAFF, (200,)),
    # The operator's console: counts and health across practices, the operator's alone.
    Route("GET", "/v1/operator/practices", {"operator"}, (200,)),
    Route("GET", "/v1/operator/health", {"operator"}, (200,)),
]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_may_call(http, practice, route):
    client = make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice)
    ids = {
        "client_id": client["id"],
        "rate_id": rate["id"],
        "insurance_rate_id": make_rate_via_api(http, practice, payer="insurance")["id"],
        "service_id": make_service_via_api(http, practice, client["id"], rate["id"])["id"],
        "key_id": http.post("/v1/api-keys", headers=practice.admin, json={"name": "spare", "role": "biller"}).json()[
            "id"
        ],
        "user_id": make_staff_user(practice.group_id, f"spare-{_u()}@example.com"),
        "alert_id": _alert(practice),
        "invoice_id": make_invoice(practice.group_id, client["id"], 5_000),
    }
    ids["payment_id"] = http.post(
        f"/v1/invoices/{ids['invoice_id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 1_000, "method": "cash", "received_date": "2026-04-05"},
    ).json()["id"]

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
    assert http.put("/v1/settings/logo", headers=practice.admin, content=_logo()).status_code == 200
    path = route.path.format(**ids)
    for who, headers in callers.items():
        allowed = who in route.allowed and not (route.people_only and who in KEYS)
        body = (route.body(ids) if allowed else {"junk": True}) if route.body else None
        if isinstance(body, bytes):
            r = http.request(route.method, path, headers={**headers, "Content-Type": "image/png"}, content=body)
        else:
            r = http.request(route.method, path, headers=headers, json=body)
        if who in ("nobody", "bad token"):
            assert r.status_code == 401, (who, r.text)
            assert r.headers.get("www-authenticate") == "Bearer"
        elif allowed:
            assert r.status_code in route.ok, (who, r.status_code, r.text)
        else:
            assert r.status_code == 403, (who, r.status_code, r.text)
            key_with_the_role = route.people_only and KEYS.get(who) in route.allowed
            assert r.json()["error"]["code"] == ("api_key_forbidden" if key_with_the_role else "role_forbidden")


def test_an_operator_sees_no_practices_records(http, practice):
    make_client_via_api(http, practice)
    for path in ("/v1/clients", "/v1/services", "/v1/billing-rates", "/v1/users", "/v1/audit-events"):
        r = http.get(path, headers=practice.operator)
        assert r.status_code == 403, path
        assert "data" not in r.json()
