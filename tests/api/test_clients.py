"""A biller keeps the practice's client list and opens the portal for clients."""

from __future__ import annotations

import pytest

from tests.factories import auth, login, make_client_via_api


def test_biller_adds_a_client_and_finds_it_again(http, practice):
    r = http.post(
        "/v1/clients",
        headers=practice.biller,
        json={"name": " Dana Reyes ", "email": "dana@example.com", "external_id": "EHR-17"},
    )
    assert r.status_code == 201, r.text
    client = r.json()
    assert client["name"] == "Dana Reyes"
    assert client["email"] == "dana@example.com"
    assert client["external_id"] == "EHR-17"
    assert client["has_portal_access"] is False and client["portal_email"] is None
    assert client["created_at"]

    assert http.get(f"/v1/clients/{client['id']}", headers=practice.biller).json() == client
    make_client_via_api(http, practice, name="Second")
    listed = http.get("/v1/clients", headers=practice.admin).json()
    assert [c["name"] for c in listed["data"]] == ["Second", "Dana Reyes"]
    by_ext = http.get("/v1/clients?external_id=EHR-17", headers=practice.biller).json()["data"]
    assert [c["id"] for c in by_ext] == [client["id"]]
    by_email = http.get("/v1/clients?email=DANA@example.com", headers=practice.biller).json()["data"]
    assert [c["id"] for c in by_email] == [client["id"]]


def test_a_client_needs_only_a_name(http, practice):
    r = http.post("/v1/clients", headers=practice.biller, json={"name": "Just A Name"})
    assert r.status_code == 201
    assert r.json()["email"] is None and r.json()["external_id"] is None


def test_client_list_pages_newest_first(http, practice):
    ids = [make_client_via_api(http, practice, name=f"C{i}")["id"] for i in range(3)]
    first = http.get("/v1/clients?limit=2", headers=practice.biller).json()
    assert [c["id"] for c in first["data"]] == [ids[2], ids[1]] and first["has_more"] is True
    rest = http.get(f"/v1/clients?limit=2&starting_after={ids[1]}", headers=practice.biller).json()
    assert [c["id"] for c in rest["data"]] == [ids[0]] and rest["has_more"] is False


def test_biller_edits_a_client(http, practice):
    client = make_client_via_api(http, practice, name="Dana", email="dana@example.com", external_id="E1")
    r = http.patch(f"/v1/clients/{client['id']}", headers=practice.biller, json={"name": "Dana R."})
    assert r.status_code == 200
    assert r.json()["name"] == "Dana R." and r.json()["email"] == "dana@example.com"
    r = http.patch(f"/v1/clients/{client['id']}", headers=practice.biller, json={"email": None, "external_id": None})
    assert r.json()["email"] is None and r.json()["external_id"] is None and r.json()["name"] == "Dana R."
    assert http.get(f"/v1/clients/{client['id']}", headers=practice.biller).json()["email"] is None


@pytest.mark.parametrize(
    "body, param",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Dana", "email": "not-an-email"}, "email"),
        ({"name": "Dana", "external_id": ""}, "external_id"),
        ({"name": "Dana", "external_id": "x" * 129}, "external_id"),
        ({"name": "Dana", "stripe_customer_id": "cus_1"}, "stripe_customer_id"),
        ({"name": "Dana", "group_id": "00000000-0000-0000-0000-000000000000"}, "group_id"),
    ],
)
def test_a_bad_new_client_is_refused_naming_the_field(http, practice, body, param):
    r = http.post("/v1/clients", headers=practice.biller, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get("/v1/clients", headers=practice.biller).json()["data"] == []


@pytest.mark.parametrize(
    "body, param",
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"email": "nope"}, "email"),
        ({"has_portal_access": True}, "has_portal_access"),
    ],
)
def test_a_bad_client_edit_is_refused(http, practice, body, param):
    client = make_client_via_api(http, practice, name="Dana")
    r = http.patch(f"/v1/clients/{client['id']}", headers=practice.biller, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/clients/{client['id']}", headers=practice.biller).json()["name"] == "Dana"


def test_a_body_that_is_not_json_is_400(http, practice):
    r = http.post("/v1/clients", headers={**practice.biller, "Content-Type": "application/json"}, content=b"{name")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"


def test_two_clients_cannot_share_an_external_id(http, practice, other_practice):
    first = make_client_via_api(http, practice, external_id="EHR-1")
    r = http.post("/v1/clients", headers=practice.biller, json={"name": "Other", "external_id": "EHR-1"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "external_id_taken" and r.json()["error"]["client_id"] == first["id"]
    second = make_client_via_api(http, practice, external_id="EHR-2")
    r = http.patch(f"/v1/clients/{second['id']}", headers=practice.biller, json={"external_id": "EHR-1"})
    assert r.status_code == 409
    # Keeping its own external id is no conflict, and another practice may use the same one.
    assert (
        http.patch(f"/v1/clients/{first['id']}", headers=practice.biller, json={"external_id": "EHR-1"}).status_code
        == 200
    )
    make_client_via_api(http, other_practice, external_id="EHR-1")


def test_another_practices_client_or_a_made_up_id_is_404(http, practice, other_practice):
    theirs = make_client_via_api(http, other_practice, name="Not yours")
    for client_id in (theirs["id"], "nope", "00000000-0000-0000-0000-000000000000"):
        for method, path, body in (
            ("GET", f"/v1/clients/{client_id}", None),
            ("PATCH", f"/v1/clients/{client_id}", {"name": "Mine now"}),
            (
                "POST",
                f"/v1/clients/{client_id}/portal-access",
                {"email": "steal@example.com", "password": "long-enough-pw"},
            ),
        ):
            r = http.request(method, path, headers=practice.biller, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["code"] == "resource_missing"
    assert http.get("/v1/clients", headers=practice.biller).json()["data"] == []
    assert http.get(f"/v1/clients/{theirs['id']}", headers=other_practice.biller).json()["name"] == "Not yours"


def test_biller_opens_the_portal_and_the_client_signs_in(http, practice):
    client = make_client_via_api(http, practice, name="Dana", email="dana@example.com")
    r = http.post(
        f"/v1/clients/{client['id']}/portal-access",
        headers=practice.biller,
        json={"email": "Dana.Portal@Example.com", "password": "client-password-1"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["has_portal_access"] is True
    assert r.json()["portal_email"] == "dana.portal@example.com"
    token = login(http, "dana.portal@example.com", "client-password-1")
    me = http.get("/v1/me", headers=auth(token))
    if me.status_code == 200:  # /v1/me belongs to another part of the API
        assert me.json()["role"] == "client" and me.json()["client_id"] == client["id"]
    listed = http.get("/v1/clients", headers=practice.biller).json()["data"][0]
    assert listed["has_portal_access"] is True


def test_opening_the_portal_again_resets_the_login_and_signs_the_client_out(http, practice):
    """Our choice: a second call is how a biller helps a client who forgot their password (200, not 409)."""
    client = make_client_via_api(http, practice)
    url = f"/v1/clients/{client['id']}/portal-access"
    http.post(url, headers=practice.biller, json={"email": "dana@example.com", "password": "first-password"})
    old_token = login(http, "dana@example.com", "first-password")
    r = http.post(url, headers=practice.biller, json={"email": "dana.new@example.com", "password": "second-password"})
    assert r.status_code == 200, r.text
    assert r.json()["portal_email"] == "dana.new@example.com"
    assert (
        http.post("/v1/auth/token", data={"username": "dana@example.com", "password": "first-password"}).status_code
        == 401
    )
    assert http.get("/v1/clients", headers=auth(old_token)).status_code in (401, 403)
    assert http.get("/v1/portal/summary", headers=auth(old_token)).status_code in (401, 404)
    login(http, "dana.new@example.com", "second-password")


def test_portal_access_with_an_email_someone_has_is_409(http, practice, other_practice):
    first = make_client_via_api(http, practice)
    http.post(
        f"/v1/clients/{first['id']}/portal-access",
        headers=practice.biller,
        json={"email": "taken@example.com", "password": "long-enough-pw"},
    )
    second = make_client_via_api(http, practice)
    for email in ("TAKEN@example.com", practice.admin_email, other_practice.biller_email):
        r = http.post(
            f"/v1/clients/{second['id']}/portal-access",
            headers=practice.biller,
            json={"email": email, "password": "long-enough-pw"},
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "email_taken"
    assert http.get(f"/v1/clients/{second['id']}", headers=practice.biller).json()["has_portal_access"] is False
    # Resetting the first client's login to another user's email is refused too.
    r = http.post(
        f"/v1/clients/{first['id']}/portal-access",
        headers=practice.biller,
        json={"email": practice.biller_email, "password": "long-enough-pw"},
    )
    assert r.status_code == 409


@pytest.mark.parametrize(
    "body, status, param",
    [
        ({"email": "dana@example.com", "password": "short"}, 422, "password"),
        ({"email": "dana@example.com"}, 422, "password"),
        ({"email": "not-email", "password": "long-enough-pw"}, 422, "email"),
        ({"password": "long-enough-pw"}, 422, "email"),
        ({"email": "dana@example.com", "password": "long-enough-pw", "role": "admin"}, 422, "role"),
    ],
)
def test_bad_portal_access_requests_are_refused(http, practice, body, status, param):
    client = make_client_via_api(http, practice)
    r = http.post(f"/v1/clients/{client['id']}/portal-access", headers=practice.biller, json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/clients/{client['id']}", headers=practice.biller).json()["has_portal_access"] is False


def test_a_retried_create_with_an_idempotency_key_makes_one_client(http, practice):
    headers = {**practice.biller, "Idempotency-Key": "add-dana-1"}
    first = http.post("/v1/clients", headers=headers, json={"name": "Dana"})
    retry = http.post("/v1/clients", headers=headers, json={"name": "Dana"})
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.headers["Idempotent-Replayed"] == "true"
    assert len(http.get("/v1/clients", headers=practice.biller).json()["data"]) == 1
    r = http.post("/v1/clients", headers=headers, json={"name": "Someone else"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused"


def test_removing_portal_access_ends_the_clients_sign_ins_and_keeps_their_records(http, practice, other_practice):
    client = make_client_via_api(http, practice, name="Ada Lovelace")
    r = http.post(
        f"/v1/clients/{client['id']}/portal-access",
        headers=practice.biller,
        json={"email": "ada.portal@example.com", "password": "a-long-client-password-7"},
    )
    assert r.status_code == 201, r.text
    token = login(http, "ada.portal@example.com", "a-long-client-password-7")
    assert http.get("/v1/portal/summary", headers=auth(token)).status_code == 200

    assert http.delete(f"/v1/clients/{client['id']}/portal-access", headers=other_practice.biller).status_code == 404
    assert http.get("/v1/portal/summary", headers=auth(token)).status_code == 200  # untouched by another practice

    r = http.delete(f"/v1/clients/{client['id']}/portal-access", headers=practice.biller)
    assert r.status_code == 200, r.text
    assert (r.json()["has_portal_access"], r.json()["portal_email"], r.json()["name"]) == (False, None, "Ada Lovelace")
    assert http.get("/v1/portal/summary", headers=auth(token)).status_code == 401
    refused = http.post(
        "/v1/auth/token", data={"username": "ada.portal@example.com", "password": "a-long-client-password-7"}
    )
    assert refused.status_code == 401
    # Again: nothing to remove, the same answer, one audit event.
    assert http.delete(f"/v1/clients/{client['id']}/portal-access", headers=practice.biller).status_code == 200
    events = http.get("/v1/audit-events", headers=practice.admin, params={"entity_id": client["id"]}).json()["data"]
    assert [e["action"] for e in events].count("client.portal_access_removed") == 1
