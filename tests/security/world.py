"""Two practices with one object of every kind each, for the tenant wall, the role matrix and the fuzzer.

Practice A is the one whose callers knock on doors; practice B owns the objects they must not reach.
In A, `client` has a portal login and its own objects, and `other client` has objects of its own
(a client must not reach another client's invoices either). Ids are keyed by the name the API
uses for them in paths (`client_id`, `invoice_id`, …), so a route's path fills in from the map.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from shared.alerts.service import raise_alert
from shared.db.engine import session_scope
from shared.users.models import AccessToken
from tests.factories import (
    Practice,
    StripeKeys,
    auth,
    connect_stripe,
    issue_token,
    make_client_login,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    make_rate_via_api,
    make_service_via_api,
)


@dataclass
class Tenant:
    practice: Practice
    ids: dict[str, str]  # path parameter name -> an object of that kind in this practice
    client_token: str
    other_client_ids: dict[str, str]  # objects of a second client of the same practice
    keys: StripeKeys

    @property
    def client(self) -> dict[str, str]:
        return auth(self.client_token)


def _ok(r: httpx.Response, *codes: int) -> dict:
    assert r.status_code in codes, (r.request.method, r.request.url.path, r.status_code, r.text)
    return r.json()


def _client_objects(http: httpx.Client, practice: Practice, client_id: str, rate_id: str) -> tuple[dict, str]:
    """An invoice of the client with a check payment on it, a card payment the client started on it
    in the portal, and a service of theirs. Returns the ids and the client's portal token."""
    token = make_client_login(practice, client_id)
    invoice_id = make_invoice(practice.group_id, client_id, 12_000)
    manual = _ok(
        http.post(
            f"/v1/invoices/{invoice_id}/payments",
            headers=practice.biller,
            json={"amount_cents": 2_000, "method": "check", "received_date": "2026-03-05", "reference": "1042"},
        ),
        201,
    )
    card = _ok(http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=auth(token), json={}), 201)
    service = make_service_via_api(http, practice, client_id, rate_id)
    return {
        "invoice_id": invoice_id,
        "payment_id": card["payment_id"],
        "manual_payment_id": manual["id"],
        "service_id": service["id"],
    }, token


def make_tenant(http: httpx.Client, name: str, stripe_api_base: str) -> Tenant:
    """A practice connected to Stripe (the stand-in at `stripe_api_base`) with one object of every kind."""
    practice = make_practice_via_api(http, name=name)
    keys = connect_stripe(http, practice, stripe_api_base)
    client = make_client_via_api(http, practice, name="Avery Client")
    other = make_client_via_api(http, practice, name="Blake Client")
    rate = make_rate_via_api(http, practice)
    ids = {"client_id": client["id"], "rate_id": rate["id"]}
    own, token = _client_objects(http, practice, client["id"], rate["id"])
    ids.update(own)
    other_ids, _ = _client_objects(http, practice, other["id"], rate["id"])
    queued = make_service_via_api(http, practice, client["id"], rate["id"], service_date="2026-03-09")
    run = _ok(
        http.post(
            "/v1/invoicing/runs",
            headers=practice.biller,
            json={"service_ids": [queued["id"]], "invoiced_date": "2026-03-31"},
        ),
        202,
    )
    ids["run_id"] = run["id"]
    ids["key_id"] = _ok(
        http.post("/v1/api-keys", headers=practice.admin, json={"name": "practice system", "role": "biller"}), 201
    )["id"]
    ids["reconciliation_id"] = _ok(http.post("/v1/reconciliations", headers=practice.biller), 202)["id"]
    ids["user_id"] = user_id(practice.biller_email)
    ids["alert_id"] = str(_alert(practice, own["invoice_id"]))
    return Tenant(practice, ids, token, other_ids, keys)


def _alert(practice: Practice, invoice_id: str) -> uuid.UUID:
    """A staff alert about the client's invoice, raised as the ledger raises one (inside a transaction)."""
    with session_scope() as session:
        return raise_alert(
            session,
            group_id=uuid.UUID(practice.group_id),
            kind="overpayment",
            dedupe_key=f"overpayment:world:{invoice_id}",
            message="A card payment arrived after the invoice was already paid. Refund the surplus.",
            invoice_id=uuid.UUID(invoice_id),
        )


def api_key(http: httpx.Client, practice: Practice, role: str) -> str:
    return _ok(http.post("/v1/api-keys", headers=practice.admin, json={"name": f"{role} key", "role": role}), 201)[
        "key"
    ]


def revoked_api_key(http: httpx.Client, practice: Practice) -> str:
    created = _ok(http.post("/v1/api-keys", headers=practice.admin, json={"name": "old", "role": "admin"}), 201)
    _ok(http.delete(f"/v1/api-keys/{created['id']}", headers=practice.admin), 200)
    return created["key"]


def user_id(email: str) -> str:
    from shared.auth.service import find_user_by_email

    with session_scope() as session:
        return str(find_user_by_email(session, email).id)


def expired_token(user_email: str) -> str:
    """A token that was valid an hour ago: issued as a sign-in would, then its expiry moved into the past."""
    from shared.security.tokens import token_digest

    token = issue_token(user_id(user_email))
    with session_scope() as session:
        session.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(token))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    return token


def tampered(token: str) -> str:
    """The same token with one character changed, as someone guessing at its neighbours would send it."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def unknown_id() -> str:
    return str(uuid.uuid4())
