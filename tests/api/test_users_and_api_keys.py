"""An admin adds staff and mints API keys for the practice system; billers can see who their colleagues are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.users.models import ApiKey
from tests.factories import auth, give_portal_access, login, make_client_via_api


def test_admin_adds_a_biller_who_can_sign_in_and_see_the_staff_list(http, practice):
    r = http.post(
        "/v1/users",
        headers=practice.admin,
        json={"email": "New.Biller@Calm.example", "password": "a-long-password", "role": "biller"},
    )
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["email"] == "new.biller@calm.example"
    assert user["role"] == "biller"
    assert "password" not in user and "password_hash" not in user

    token = login(http, "new.biller@calm.example", "a-long-password")
    staff = http.get("/v1/users", headers=auth(token)).json()
    emails = [u["email"] for u in staff["data"]]
    assert emails[0] == "new.biller@calm.example"  # newest first
    assert set(emails) == {"new.biller@calm.example", practice.admin_email, practice.biller_email}
    assert staff["has_more"] is False


def test_the_staff_list_leaves_out_client_logins_and_other_practices(http, practice, other_practice):
    client = make_client_via_api(http, practice)
    give_portal_access(http, practice, client["id"])
    emails = {u["email"] for u in http.get("/v1/users", headers=practice.biller).json()["data"]}
    assert emails == {practice.admin_email, practice.biller_email}


def test_the_staff_list_pages(http, practice):
    first = http.get("/v1/users?limit=1", headers=practice.admin).json()
    assert len(first["data"]) == 1 and first["has_more"] is True
    second = http.get(f"/v1/users?limit=1&starting_after={first['data'][0]['id']}", headers=practice.admin).json()
    assert len(second["data"]) == 1 and second["data"][0]["id"] != first["data"][0]["id"]
    assert http.get("/v1/users?limit=0", headers=practice.admin).status_code == 422
    assert http.get("/v1/users?limit=201", headers=practice.admin).status_code == 422


@pytest.mark.parametrize(
    "body, param",
    [
        ({"email": "x@calm.example", "password": "short", "role": "biller"}, "password"),
        ({"email": "not-an-email", "password": "a-long-password", "role": "biller"}, "email"),
        ({"email": "x@calm.example", "password": "a-long-password", "role": "operator"}, "role"),
        ({"email": "x@calm.example", "password": "a-long-password", "role": "client"}, "role"),
        ({"email": "x@calm.example", "password": "a-long-password"}, "role"),
        ({"email": "x@calm.example", "password": "a-long-password", "role": "biller", "group_id": "x"}, "group_id"),
        ({"email": "x@calm.example", "password": "p" * 300, "role": "biller"}, "password"),
    ],
)
def test_a_bad_new_user_is_refused_and_names_the_field(http, practice, body, param):
    r = http.post("/v1/users", headers=practice.admin, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param


def test_an_email_already_in_use_anywhere_is_409(http, practice, other_practice):
    for email in (practice.biller_email.upper(), other_practice.admin_email):
        r = http.post(
            "/v1/users", headers=practice.admin, json={"email": email, "password": "a-long-password", "role": "admin"}
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"] == {
            "code": "email_taken",
            "message": "A user with that email already exists.",
            "param": "email",
        }


def test_an_api_key_is_shown_once_stored_hashed_and_works_for_its_role(http, practice):
    r = http.post("/v1/api-keys", headers=practice.admin, json={"name": "EHR sync", "role": "biller"})
    assert r.status_code == 201, r.text
    created = r.json()
    key = created["key"]
    assert key.startswith("cpk_") and created["key_last4"] == key[-4:]
    assert created["revoked"] is False

    listed = http.get("/v1/api-keys", headers=practice.admin).json()["data"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0] and listed[0]["key_last4"] == key[-4:]
    with session_scope() as session:
        row = session.scalar(select(ApiKey))
        assert row.key_hash != key and key not in (row.key_hash, row.name, row.key_last4)

    # A biller key pushes clients, but may not do what only admins do.
    assert http.post("/v1/clients", headers=auth(key), json={"name": "Via key"}).status_code == 201
    assert (
        http.post(
            "/v1/billing-rates", headers=auth(key), json={"name": "R", "amount_cents": 1, "payer": "insurance"}
        ).status_code
        == 403
    )
    assert http.get("/v1/api-keys", headers=auth(key)).status_code == 403


def test_an_admin_key_can_do_admin_work(http, practice):
    key = http.post("/v1/api-keys", headers=practice.admin, json={"name": "Ops", "role": "admin"}).json()["key"]
    r = http.post("/v1/billing-rates", headers=auth(key), json={"name": "R", "amount_cents": 1, "payer": "insurance"})
    assert r.status_code == 201
    audit = http.get(f"/v1/audit-events?entity=billing_rate&entity_id={r.json()['id']}", headers=practice.admin)
    event = audit.json()["data"][0]
    assert event["actor_kind"] == "admin" and event["actor_api_key_id"] is not None


def test_a_revoked_key_stops_working_at_once_and_revoking_twice_is_harmless(http, practice):
    created = http.post("/v1/api-keys", headers=practice.admin, json={"name": "EHR", "role": "biller"}).json()
    assert http.get("/v1/clients", headers=auth(created["key"])).status_code == 200
    r = http.delete(f"/v1/api-keys/{created['id']}", headers=practice.admin)
    assert r.status_code == 200 and r.json()["revoked"] is True
    revoked_at = r.json()["revoked_at"]
    r = http.get("/v1/clients", headers=auth(created["key"]))
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    again = http.delete(f"/v1/api-keys/{created['id']}", headers=practice.admin)
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked_at
    assert http.get("/v1/api-keys", headers=practice.admin).json()["data"][0]["revoked"] is True


def test_another_practices_key_or_a_made_up_id_is_404(http, practice, other_practice):
    theirs = http.post("/v1/api-keys", headers=other_practice.admin, json={"name": "X", "role": "biller"}).json()
    for key_id in (theirs["id"], "not-an-id", "00000000-0000-0000-0000-000000000000"):
        r = http.delete(f"/v1/api-keys/{key_id}", headers=practice.admin)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "resource_missing"
    assert http.get("/v1/clients", headers=auth(theirs["key"])).status_code == 200  # still works
    assert http.get("/v1/api-keys", headers=practice.admin).json()["data"] == []


@pytest.mark.parametrize(
    "body, param",
    [
        ({"name": "", "role": "biller"}, "name"),
        ({"name": "   ", "role": "biller"}, "name"),
        ({"name": "X", "role": "operator"}, "role"),
        ({"name": "X", "role": "client"}, "role"),
        ({"name": "X"}, "role"),
        ({"name": "X", "role": "biller", "key": "cpk_mine"}, "key"),
    ],
)
def test_a_bad_api_key_request_is_422(http, practice, body, param):
    r = http.post("/v1/api-keys", headers=practice.admin, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
