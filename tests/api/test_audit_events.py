"""An admin reads who changed what, for one object or the whole practice."""

from __future__ import annotations

from tests.factories import make_client_via_api, make_rate_via_api, make_service_via_api


def test_admin_sees_the_history_of_one_service(http, practice):
    client = make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice)
    service = make_service_via_api(http, practice, client["id"], rate["id"])
    http.patch(
        f"/v1/services/{service['id']}",
        headers={**practice.biller, "X-Request-ID": "req-edit-1"},
        json={"amount_cents": 100},
    )
    r = http.get(f"/v1/audit-events?entity=service&entity_id={service['id']}", headers=practice.admin)
    assert r.status_code == 200, r.text
    events = r.json()["data"]
    assert [e["action"] for e in events] == ["service.updated", "service.created"]
    edit = events[0]
    assert edit["actor_kind"] == "biller" and edit["actor_user_id"] is not None
    assert edit["request_id"] == "req-edit-1" and edit["data"]["fields"] == ["amount_cents"]
    assert edit["entity_id"] == service["id"]


def test_audit_events_are_the_practices_own_and_page(http, practice, other_practice):
    make_client_via_api(http, practice, name="Mine")
    theirs = make_client_via_api(http, other_practice, name="Theirs")
    mine = http.get("/v1/audit-events?entity=client", headers=practice.admin).json()["data"]
    assert len(mine) == 1 and mine[0]["action"] == "client.created"
    assert http.get(f"/v1/audit-events?entity_id={theirs['id']}", headers=practice.admin).json()["data"] == []

    everything = http.get("/v1/audit-events", headers=practice.admin).json()
    assert len(everything["data"]) >= 3  # group created, its admin, the client
    first = http.get("/v1/audit-events?limit=1", headers=practice.admin).json()
    assert first["has_more"] is True
    second = http.get(
        f"/v1/audit-events?limit=1&starting_after={first['data'][0]['id']}", headers=practice.admin
    ).json()
    assert second["data"][0]["id"] != first["data"][0]["id"]
    their_event = http.get("/v1/audit-events?limit=1", headers=other_practice.admin).json()["data"][0]["id"]
    r = http.get(f"/v1/audit-events?starting_after={their_event}", headers=practice.admin)
    assert r.status_code == 404


def test_personal_data_and_secrets_stay_out_of_the_audit_trail(http, practice):
    client = make_client_via_api(http, practice, name="Dana Secretname", email="dana.secret@example.com")
    http.patch(f"/v1/clients/{client['id']}", headers=practice.biller, json={"email": "dana.other@example.com"})
    service = make_service_via_api(
        http, practice, client["id"], make_rate_via_api(http, practice)["id"], description="Grief counselling"
    )
    http.patch(f"/v1/services/{service['id']}", headers=practice.biller, json={"description": "Trauma therapy"})
    key = http.post("/v1/api-keys", headers=practice.admin, json={"name": "EHR", "role": "biller"}).json()["key"]
    http.post(
        "/v1/users",
        headers=practice.admin,
        json={"email": "new@calm.example", "password": "very-secret-password", "role": "biller"},
    )
    text = http.get("/v1/audit-events?limit=200", headers=practice.admin).text
    assert "service.updated" in text and "client.updated" in text
    for secret in (
        "Secretname",
        "dana.secret@example.com",
        "dana.other@example.com",
        "Grief",
        "Trauma",
        key,
        "very-secret-password",
    ):
        assert secret not in text
