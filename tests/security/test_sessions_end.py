"""Finding 3 of the security review: sessions and staff accounts that never ended.

Signing out revokes the token at once; deactivating a user refuses every token of theirs at once;
changing a password ends every other sign-in; an API key — even an admin's — may not make users or
keys, change roles, deactivate anyone or enrol a second factor; another practice's users and the
clients' portal logins are not staff one can change. Each journey is over HTTP through the real app.
"""

from __future__ import annotations

import pytest

from tests.factories import (
    CLIENT_PASSWORD,
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    STAFF_PASSWORD,
    auth,
    give_portal_access,
    login,
    make_client_via_api,
    make_practice_via_api,
)
from tests.security.review import record_finding
from tests.security.world import api_key, user_id

FINDING = "3. Sessions and accounts"


def _error(r) -> str:
    return r.json()["error"]["code"]


def test_a_token_used_after_signing_out_is_refused(http):
    practice = make_practice_via_api(http)
    token = login(http, practice.admin_email, STAFF_PASSWORD)
    elsewhere = login(http, practice.admin_email, STAFF_PASSWORD)  # the same admin on another computer

    r = http.post("/v1/auth/logout", headers=auth(token))
    assert r.status_code == 204, r.text
    after = http.get("/v1/clients", headers=auth(token))
    assert after.status_code == 401 and _error(after) == "invalid_token"
    assert after.headers["www-authenticate"] == "Bearer"
    again = http.post("/v1/auth/logout", headers=auth(token))
    assert again.status_code == 401
    assert http.get("/v1/clients", headers=auth(elsewhere)).status_code == 200  # only that sign-in ended

    events = http.get(
        f"/v1/audit-events?entity=user&entity_id={user_id(practice.admin_email)}", headers=auth(elsewhere)
    ).json()["data"]
    assert events[0]["action"] == "user.signed_out"
    record_finding(
        "token_used_after_logout",
        FINDING,
        "POST /v1/auth/logout, then GET /v1/clients with the same token",
        f"{r.status_code}, then {after.status_code} {_error(after)}",
        notes="the user's other sign-ins keep working",
    )


def test_every_role_can_sign_out(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    tokens = {
        "operator": login(http, OPERATOR_EMAIL, OPERATOR_PASSWORD),
        "admin": login(http, practice.admin_email, STAFF_PASSWORD),
        "biller": login(http, practice.biller_email, STAFF_PASSWORD),
        "client": give_portal_access(http, practice, client["id"]),
    }
    for role, token in tokens.items():
        assert http.post("/v1/auth/logout", headers=auth(token)).status_code == 204, role
        assert http.get("/v1/me", headers=auth(token)).status_code == 401, role


def test_an_api_key_cannot_sign_out_and_is_told_to_revoke_instead(http):
    practice = make_practice_via_api(http)
    key = api_key(http, practice, "admin")
    r = http.post("/v1/auth/logout", headers=auth(key))
    assert r.status_code == 403 and _error(r) == "api_key_forbidden", r.text
    assert "DELETE /v1/api-keys" in r.json()["error"]["message"]
    assert http.get("/v1/clients", headers=auth(key)).status_code == 200  # nothing happened to it
    record_finding("api_key_logout", FINDING, "POST /v1/auth/logout with an API key", f"403 {_error(r)}")


def test_a_deactivated_users_tokens_are_refused_at_once_and_their_keys_are_the_practices(http):
    practice = make_practice_via_api(http)
    biller_id = user_id(practice.biller_email)
    second_sign_in = login(http, practice.biller_email, STAFF_PASSWORD)
    # The biller was made an admin for a while and minted a key for the EHR.
    assert http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"role": "admin"}).status_code == 200
    minted = http.post("/v1/api-keys", headers=practice.biller, json={"name": "EHR", "role": "biller"}).json()

    r = http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"is_active": False})
    assert r.status_code == 200, r.text
    assert [k["id"] for k in r.json()["api_keys_created"]] == [minted["id"]]
    for token in (practice.biller_token, second_sign_in):
        refused = http.get("/v1/clients", headers=auth(token))
        assert refused.status_code == 401 and _error(refused) == "invalid_token"
    sign_in = http.post("/v1/auth/token", data={"username": practice.biller_email, "password": STAFF_PASSWORD})
    assert sign_in.status_code == 401 and _error(sign_in) == "invalid_credentials"
    record_finding(
        "token_used_after_deactivation",
        FINDING,
        "PATCH /v1/users/{id} {is_active: false}, then GET /v1/clients with that user's tokens, and sign in",
        f"401 {_error(refused)} for both tokens; sign-in 401 {_error(sign_in)}",
    )

    # The key belongs to the practice: it keeps working until an admin revokes it, as the answer suggested.
    key_use = http.get("/v1/clients", headers=auth(minted["key"]))
    assert key_use.status_code == 200
    assert http.delete(f"/v1/api-keys/{minted['id']}", headers=practice.admin).status_code == 200
    revoked = http.get("/v1/clients", headers=auth(minted["key"]))
    assert revoked.status_code == 401
    record_finding(
        "deactivated_users_api_key",
        FINDING,
        "GET /v1/clients with an API key a deactivated user created; then again after DELETE /v1/api-keys/{id}",
        f"{key_use.status_code} (the practice's key, listed in the deactivation answer), then {revoked.status_code}",
    )


def test_api_keys_cannot_make_users_or_keys_change_roles_or_turn_second_factors(http):
    practice = make_practice_via_api(http)
    key = auth(api_key(http, practice, "admin"))
    biller_id = user_id(practice.biller_email)
    attempts = {
        "POST /v1/users": http.post(
            "/v1/users", headers=key, json={"email": "evil@x.example", "password": "long-enough-pw", "role": "admin"}
        ),
        "POST /v1/api-keys": http.post("/v1/api-keys", headers=key, json={"name": "more", "role": "admin"}),
        "PATCH /v1/users/{id} role": http.patch(f"/v1/users/{biller_id}", headers=key, json={"role": "admin"}),
        "PATCH /v1/users/{id} is_active": http.patch(f"/v1/users/{biller_id}", headers=key, json={"is_active": False}),
        "DELETE /v1/users/{id}/totp": http.delete(f"/v1/users/{biller_id}/totp", headers=key),
        "POST /v1/me/totp": http.post("/v1/me/totp", headers=key),
        "POST /v1/me/password": http.post(
            "/v1/me/password", headers=key, json={"current_password": "x" * 12, "new_password": "y" * 12}
        ),
        "PATCH /v1/settings require_staff_totp": http.patch(
            "/v1/settings", headers=key, json={"require_staff_totp": True}
        ),
    }
    for what, r in attempts.items():
        assert r.status_code == 403 and _error(r) == "api_key_forbidden", (what, r.status_code, r.text)
    # Nothing changed, and the key still does the admin work it is for.
    staff = http.get("/v1/users", headers=practice.admin).json()["data"]
    assert sorted((u["email"], u["role"], u["is_active"]) for u in staff) == sorted(
        [(practice.admin_email, "admin", True), (practice.biller_email, "biller", True)]
    )
    assert len(http.get("/v1/api-keys", headers=practice.admin).json()["data"]) == 1
    assert http.get("/v1/settings", headers=practice.admin).json()["require_staff_totp"] is False
    assert http.patch("/v1/settings", headers=key, json={"name": "Renamed by the EHR"}).status_code == 200
    record_finding(
        "admin_api_key_mints_admins_and_keys",
        FINDING,
        "with an admin-role API key: " + ", ".join(attempts),
        f"403 {_error(attempts['POST /v1/users'])} for each; no user, key or setting changed",
    )


def test_a_client_token_on_staff_account_routes_is_refused(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    token = auth(give_portal_access(http, practice, client["id"]))
    biller_id = user_id(practice.biller_email)
    attempts = {
        "GET /v1/users": http.get("/v1/users", headers=token),
        "GET /v1/users/{id}": http.get(f"/v1/users/{biller_id}", headers=token),
        "PATCH /v1/users/{id}": http.patch(f"/v1/users/{biller_id}", headers=token, json={"is_active": False}),
        "POST /v1/users": http.post(
            "/v1/users", headers=token, json={"email": "me@x.example", "password": "long-enough-pw", "role": "admin"}
        ),
        "POST /v1/api-keys": http.post("/v1/api-keys", headers=token, json={"name": "mine", "role": "admin"}),
        "DELETE /v1/users/{id}/totp": http.delete(f"/v1/users/{biller_id}/totp", headers=token),
        "POST /v1/me/totp": http.post("/v1/me/totp", headers=token),
    }
    for what, r in attempts.items():
        assert r.status_code == 403 and _error(r) == "role_forbidden", (what, r.status_code, r.text)
    assert http.get(f"/v1/users/{biller_id}", headers=practice.admin).json()["is_active"] is True
    record_finding(
        "client_token_on_staff_account_routes",
        FINDING,
        "a client's portal token on " + ", ".join(attempts),
        "403 role_forbidden for each; nothing changed",
    )


def test_another_practices_users_client_logins_and_operators_are_not_staff_here(http):
    practice = make_practice_via_api(http)
    other = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    portal_email = "portal.login@calm.example"
    give_portal_access(http, practice, client["id"], email=portal_email)
    targets = {
        "another practice's admin": user_id(other.admin_email),
        "a client's portal login": user_id(portal_email),
        "the operator": user_id(OPERATOR_EMAIL),
        "not an id": "not-an-id",
    }
    for who, uid in targets.items():
        for r in (
            http.get(f"/v1/users/{uid}", headers=practice.admin),
            http.patch(f"/v1/users/{uid}", headers=practice.admin, json={"is_active": False}),
            http.patch(f"/v1/users/{uid}", headers=practice.admin, json={"role": "biller"}),
            http.delete(f"/v1/users/{uid}/totp", headers=practice.admin),
        ):
            assert r.status_code == 404 and _error(r) == "resource_missing", (who, r.request.method, r.text)
            assert other.group_id not in r.text
    # All of them still sign in as before.
    assert http.get("/v1/me", headers=other.admin).json()["role"] == "admin"
    assert login(http, portal_email, CLIENT_PASSWORD)
    assert login(http, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    record_finding(
        "another_practices_user_id",
        FINDING,
        "PATCH /v1/users/{id} {is_active: false} (and GET, role change, TOTP reset) with another practice's "
        "admin, a client's portal login and the operator",
        "404 resource_missing for each; all of them still sign in",
    )


# --- changing one's password -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "admin", "biller", "client"])
def test_every_role_changes_their_password_and_their_other_sign_ins_end(http, role):
    practice = make_practice_via_api(http)
    email, password = {
        "operator": (OPERATOR_EMAIL, OPERATOR_PASSWORD),
        "admin": (practice.admin_email, STAFF_PASSWORD),
        "biller": (practice.biller_email, STAFF_PASSWORD),
        "client": ("pat.client@calm.example", CLIENT_PASSWORD),
    }[role]
    if role == "client":
        give_portal_access(http, practice, make_client_via_api(http, practice)["id"], email=email)
    here, elsewhere = login(http, email, password), login(http, email, password)

    new = f"{role}-brand-new-password"
    r = http.post("/v1/me/password", headers=auth(here), json={"current_password": password, "new_password": new})
    assert r.status_code == 204, r.text
    assert http.get("/v1/me", headers=auth(here)).status_code == 200  # the sign-in that changed it stays
    after = http.get("/v1/me", headers=auth(elsewhere))
    assert after.status_code == 401 and _error(after) == "invalid_token"
    old = http.post("/v1/auth/token", data={"username": email, "password": password})
    assert old.status_code == 401 and _error(old) == "invalid_credentials"
    assert login(http, email, new)
    if role != "operator":  # operators belong to no practice, so their events are in no practice's trail
        admin = auth(here) if role == "admin" else practice.admin
        events = http.get(f"/v1/audit-events?entity=user&entity_id={user_id(email)}", headers=admin)
        changed = next(e for e in events.json()["data"] if e["action"] == "user.password_changed")
        # `elsewhere`, and the sign-in the factory made (practice setup, or giving portal access).
        assert changed["data"] == {"other_sign_ins_ended": 2}
        assert new not in events.text and password not in events.text
    if role == "biller":
        record_finding(
            "token_used_after_password_change",
            FINDING,
            "POST /v1/me/password with one sign-in, then GET /v1/me with another sign-in of the same user",
            f"204; the other sign-in {after.status_code} {_error(after)}; the old password {old.status_code}",
            notes="the sign-in that changed the password keeps working",
        )


def test_a_wrong_current_password_is_refused_and_counts_as_a_failed_sign_in(http):
    from shared.config import app_settings

    practice = make_practice_via_api(http)
    limit = app_settings().login_max_failures
    body = {"current_password": "not-my-password", "new_password": "a-brand-new-password"}
    for _ in range(limit):
        r = http.post("/v1/me/password", headers=practice.biller, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"] == {
            "code": "invalid_current_password",
            "message": "That is not your current password.",
            "param": "current_password",
        }
    right = {"current_password": STAFF_PASSWORD, "new_password": "a-brand-new-password"}
    locked = http.post("/v1/me/password", headers=practice.biller, json=right)
    assert locked.status_code == 429 and _error(locked) == "too_many_login_attempts"
    sign_in = http.post("/v1/auth/token", data={"username": practice.biller_email, "password": STAFF_PASSWORD})
    assert sign_in.status_code == 429  # the same limiter as signing in: guessing here is guessing there
    assert http.get("/v1/me", headers=practice.biller).status_code == 200  # the password did not change, nor the token
    record_finding(
        "password_change_guessing",
        FINDING,
        f"POST /v1/me/password with a wrong current_password {limit} times, then the right one",
        f"422 invalid_current_password x{limit}, then 429 {_error(locked)} (sign-in too)",
    )


def test_a_weak_or_unchanged_new_password_is_refused_and_nothing_ends(http):
    practice = make_practice_via_api(http)
    elsewhere = login(http, practice.admin_email, STAFF_PASSWORD)
    for new, code in (("short", "password_too_short"), (STAFF_PASSWORD, "password_unchanged")):
        r = http.post(
            "/v1/me/password", headers=practice.admin, json={"current_password": STAFF_PASSWORD, "new_password": new}
        )
        assert r.status_code == 422 and _error(r) == code, r.text
        assert r.json()["error"]["param"] == "new_password"
    r = http.post("/v1/me/password", headers=practice.admin, json={"new_password": "a-brand-new-password"})
    assert r.status_code == 422 and r.json()["error"]["param"] == "current_password"
    assert http.get("/v1/me", headers=auth(elsewhere)).status_code == 200
    assert login(http, practice.admin_email, STAFF_PASSWORD)
