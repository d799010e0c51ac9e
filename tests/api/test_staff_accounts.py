"""An admin changes a colleague's role, deactivates and reactivates them; the practice always keeps an
active admin; every change is in the audit trail."""

from __future__ import annotations

import threading

import httpx

from shared.db.engine import session_scope
from shared.users.models import User
from tests.factories import STAFF_PASSWORD, auth, login
from tests.security.world import user_id


def _events(http: httpx.Client, practice, uid: str) -> list[dict]:
    r = http.get(f"/v1/audit-events?entity=user&entity_id={uid}", headers=practice.admin)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _add_staff(http: httpx.Client, practice, email: str, role: str) -> dict:
    r = http.post("/v1/users", headers=practice.admin, json={"email": email, "password": STAFF_PASSWORD, "role": role})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_role_change_holds_from_the_next_request_of_the_same_sign_in(http, practice):
    biller_id = user_id(practice.biller_email)
    rate = {"name": "R", "amount_cents": 100, "payer": "insurance"}
    assert http.post("/v1/billing-rates", headers=practice.biller, json=rate).status_code == 403

    r = http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"role": "admin"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin" and r.json()["is_active"] is True
    assert http.post("/v1/billing-rates", headers=practice.biller, json=rate).status_code == 201

    r = http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"role": "biller"})
    assert r.status_code == 200 and r.json()["role"] == "biller"
    refused = http.post("/v1/billing-rates", headers=practice.biller, json=rate)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbidden"

    changes = [(e["action"], e["data"]) for e in _events(http, practice, biller_id)]
    assert changes[:2] == [
        ("user.role_changed", {"from": "admin", "to": "biller"}),
        ("user.role_changed", {"from": "biller", "to": "admin"}),
    ]
    # The same values again change nothing and record nothing.
    assert http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"role": "biller"}).status_code == 200
    assert len(_events(http, practice, biller_id)) == len(changes)


def test_the_staff_list_and_one_user_show_role_state_and_second_factor_but_no_secret(http, practice):
    biller_id = user_id(practice.biller_email)
    one = http.get(f"/v1/users/{biller_id}", headers=practice.biller)
    assert one.status_code == 200, one.text
    assert one.json() | {"created_at": None} == {
        "id": biller_id,
        "email": practice.biller_email,
        "role": "biller",
        "is_active": True,
        "totp_enabled": False,
        "created_at": None,
    }
    listed = http.get("/v1/users", headers=practice.admin).json()["data"]
    assert {u["email"]: u["totp_enabled"] for u in listed} == {
        practice.admin_email: False,
        practice.biller_email: False,
    }


def test_deactivating_answers_with_the_keys_the_user_created_and_reactivating_does_not_revive_old_sign_ins(
    http, practice
):
    colleague = _add_staff(http, practice, "second.admin@calm.example", "admin")
    token = login(http, "second.admin@calm.example", STAFF_PASSWORD)
    made = http.post("/v1/api-keys", headers=auth(token), json={"name": "EHR sync", "role": "biller"}).json()
    http.post("/v1/api-keys", headers=practice.admin, json={"name": "Not theirs", "role": "biller"})

    r = http.patch(f"/v1/users/{colleague['id']}", headers=practice.admin, json={"is_active": False})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["is_active"] is False
    assert answer["api_keys_created"] == [
        {"id": made["id"], "name": "EHR sync", "key_last4": made["key"][-4:], "revoked": False}
    ]
    assert "key" not in answer["api_keys_created"][0]

    r = http.patch(f"/v1/users/{colleague['id']}", headers=practice.admin, json={"is_active": True})
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert http.get("/v1/me", headers=auth(token)).status_code == 401  # the old sign-in stays ended
    assert http.get("/v1/me", headers=auth(login(http, "second.admin@calm.example", STAFF_PASSWORD))).status_code == 200
    actions = [e["action"] for e in _events(http, practice, colleague["id"])]
    assert actions[:2] == ["user.reactivated", "user.deactivated"]
    assert _events(http, practice, colleague["id"])[1]["data"] == {"sign_ins_ended": 1}


def test_the_last_active_admin_cannot_demote_or_deactivate_themselves(http, practice):
    admin_id = user_id(practice.admin_email)
    for body, param in (({"role": "biller"}, "role"), ({"is_active": False}, "is_active")):
        r = http.patch(f"/v1/users/{admin_id}", headers=practice.admin, json=body)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "last_admin" and r.json()["error"]["param"] == param
    assert http.get("/v1/users/" + admin_id, headers=practice.admin).json()["role"] == "admin"

    # With a second admin, stepping down is fine — and then that one is the last.
    second = _add_staff(http, practice, "second.admin@calm.example", "admin")
    assert http.patch(f"/v1/users/{admin_id}", headers=practice.admin, json={"role": "biller"}).status_code == 200
    second_token = auth(login(http, "second.admin@calm.example", STAFF_PASSWORD))
    r = http.patch(f"/v1/users/{second['id']}", headers=second_token, json={"is_active": False})
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_admin"
    # A deactivated admin does not count as one.
    assert http.patch(f"/v1/users/{admin_id}", headers=second_token, json={"role": "admin"}).status_code == 200
    assert http.patch(f"/v1/users/{admin_id}", headers=second_token, json={"is_active": False}).status_code == 200
    r = http.patch(f"/v1/users/{second['id']}", headers=second_token, json={"role": "biller"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_admin"


def test_two_admins_demoting_each_other_at_once_leave_the_practice_one_admin(http, practice, api_url):
    second = _add_staff(http, practice, "second.admin@calm.example", "admin")
    first_id = user_id(practice.admin_email)
    second_token = auth(login(http, "second.admin@calm.example", STAFF_PASSWORD))
    answers: dict[str, int] = {}
    start = threading.Barrier(2)

    def demote(name: str, headers: dict[str, str], target: str) -> None:
        with httpx.Client(base_url=api_url, timeout=30) as client:
            start.wait()
            answers[name] = client.patch(f"/v1/users/{target}", headers=headers, json={"role": "biller"}).status_code

    threads = [
        threading.Thread(target=demote, args=("first", practice.admin, second["id"])),
        threading.Thread(target=demote, args=("second", second_token, first_id)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Whichever ran first won; the other was no longer an admin (403) or would have left none (409).
    assert sorted(answers.values())[0] == 200 and sorted(answers.values())[1] in (403, 409), answers
    with session_scope() as session:
        admins = [u.email for u in session.query(User).filter_by(role="admin", is_active=True)]
    assert len(admins) == 1, admins


def test_a_bad_change_is_refused_naming_the_field_and_changes_nothing(http, practice):
    biller_id = user_id(practice.biller_email)
    for body, param in (
        ({"role": "operator"}, "role"),
        ({"role": "client"}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"password": "a-new-password-1"}, "password"),
        ({"email": "someone@else.example"}, "email"),
    ):
        r = http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/users/{biller_id}", headers=practice.admin).json()["role"] == "biller"
    assert _events(http, practice, biller_id) == []
