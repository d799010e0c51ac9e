"""The TOTP second factor of staff sign-ins: enrolling, signing in with a code, replays, guessing,
turning it off, an admin's reset, and a practice that requires it of all its staff.

Codes come from the secret the API showed at enrolment, made as an authenticator app makes them
(tests/security/authenticator.py).
"""

from __future__ import annotations

import threading
import uuid

import httpx
from sqlalchemy import select

from shared.config import app_settings
from shared.db.engine import session_scope
from shared.security.secrets import decrypt_secret
from shared.users.models import User
from tests.conftest import TEST_DB_URL
from tests.factories import (
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    STAFF_PASSWORD,
    auth,
    login,
    make_client_via_api,
    make_practice_via_api,
)
from tests.factories import give_portal_access as portal_login
from tests.security.authenticator import enrol, start_enrolment
from tests.security.review import record_finding
from tests.security.secrets_scan import database_text
from tests.security.world import user_id

FINDING = "3. Sessions and accounts"


def _sign_in(http: httpx.Client, email: str, password: str, otp: str | None = None) -> httpx.Response:
    return http.post(
        "/v1/auth/token", data={"username": email, "password": password} | ({"otp": otp} if otp is not None else {})
    )


def _error(r: httpx.Response) -> str:
    return r.json()["error"]["code"]


def test_enrolment_takes_effect_only_once_a_code_confirms_it_and_the_secret_is_shown_once(http):
    practice = make_practice_via_api(http)
    here = auth(login(http, practice.biller_email, STAFF_PASSWORD))
    elsewhere = auth(login(http, practice.biller_email, STAFF_PASSWORD))

    app = start_enrolment(http, here)
    assert app.otpauth_uri.startswith("otpauth://totp/clinicpay:")
    assert "issuer=clinicpay" in app.otpauth_uri
    # Not on yet: signing in needs no code, and a wrong confirmation changes nothing.
    assert _sign_in(http, practice.biller_email, STAFF_PASSWORD).status_code == 200
    wrong = http.post("/v1/me/totp/confirm", headers=here, json={"code": app.wrong_code()})
    assert wrong.status_code == 422 and _error(wrong) == "otp_invalid" and wrong.json()["error"]["param"] == "code"
    assert http.get("/v1/me", headers=here).json()["totp_enabled"] is False

    confirmed = http.post("/v1/me/totp/confirm", headers=here, json={"code": app.code()})
    assert confirmed.status_code == 200 and confirmed.json()["totp_enabled"] is True
    assert http.get("/v1/me", headers=here).json()["totp_enabled"] is True  # this sign-in stays
    assert http.get("/v1/me", headers=elsewhere).status_code == 401  # others were made without the factor
    again = http.post("/v1/me/totp", headers=here)
    assert again.status_code == 409 and _error(again) == "totp_already_enabled"

    # The secret never comes back: not from /v1/me, the staff list, the user, or the audit trail.
    for r in (
        http.get("/v1/me", headers=here),
        http.get("/v1/users", headers=practice.admin),
        http.get(f"/v1/users/{user_id(practice.biller_email)}", headers=practice.admin),
        http.get("/v1/audit-events?entity=user", headers=practice.admin),
    ):
        assert r.status_code == 200 and app.secret not in r.text
    actions = [e["action"] for e in http.get("/v1/audit-events?entity=user", headers=practice.admin).json()["data"]]
    assert "user.totp_enabled" in actions and "user.totp_enrolment_started" in actions


def test_the_secret_is_stored_only_encrypted(http):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.admin)
    leaks = [where for where, text in database_text(TEST_DB_URL) if app.secret in text]
    assert leaks == []
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == practice.admin_email))
        assert decrypt_secret(user.totp_secret_encrypted) == app.secret
    record_finding(
        "totp_secret_at_rest",
        FINDING,
        "every column of every table searched for the TOTP secret shown at enrolment",
        "not found; users.totp_secret_encrypted opens with the practice key ring (MultiFernet)",
    )


def test_signing_in_needs_the_code_and_says_so_only_after_the_right_password(http):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.admin)
    email = practice.admin_email

    wrong_password = _sign_in(http, email, "not-the-password")
    wrong_password_right_code = _sign_in(http, email, "not-the-password", app.code())
    no_code = _sign_in(http, email, STAFF_PASSWORD)
    wrong_code = _sign_in(http, email, STAFF_PASSWORD, app.wrong_code())
    for r, code, param in (
        (wrong_password, "invalid_credentials", "username"),
        (wrong_password_right_code, "invalid_credentials", "username"),
        (no_code, "otp_required", "otp"),
        (wrong_code, "otp_invalid", "otp"),
    ):
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == code and r.json()["error"]["param"] == param
        assert r.headers["www-authenticate"] == "Bearer"
        assert "access_token" not in r.text
    assert wrong_password.json() == wrong_password_right_code.json()  # the code tells nothing either way
    signed_in = _sign_in(http, email, STAFF_PASSWORD, app.code())
    assert signed_in.status_code == 200, signed_in.text
    assert http.get("/v1/clients", headers=auth(signed_in.json()["access_token"])).status_code == 200
    # A code typed with a space in the middle, as apps show it, is the same code.
    spaced = app.code()
    assert _sign_in(http, email, STAFF_PASSWORD, f"{spaced[:3]} {spaced[3:]}").status_code == 200
    record_finding(
        "login_without_second_factor",
        FINDING,
        "POST /v1/auth/token for a user with TOTP: wrong password (with and without a right code), "
        "right password without otp, right password with a wrong otp",
        f"401 {_error(wrong_password)} / {_error(wrong_password_right_code)} / {_error(no_code)} / {_error(wrong_code)}",
        notes="otp_required only after the right password",
    )


def test_a_code_used_once_is_refused_the_second_time(http):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.biller)
    first = _sign_in(http, practice.biller_email, STAFF_PASSWORD, app.code())
    assert first.status_code == 200, first.text
    replay = _sign_in(http, practice.biller_email, STAFF_PASSWORD, app.used_code())
    assert replay.status_code == 401 and _error(replay) == "otp_invalid", replay.text
    record_finding(
        "totp_code_replayed",
        FINDING,
        "POST /v1/auth/token twice with the same valid otp",
        f"{first.status_code}, then 401 {_error(replay)}",
    )


def test_two_sign_ins_racing_with_one_code_let_one_in(http, api_url):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.admin)
    code = app.code()
    start = threading.Barrier(4)
    answers: list[int] = []

    def sign_in() -> None:
        with httpx.Client(base_url=api_url, timeout=30) as client:
            start.wait()
            answers.append(_sign_in(client, practice.admin_email, STAFF_PASSWORD, code).status_code)

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 401, 401, 401], answers


def test_wrong_codes_count_in_the_login_limiter(http):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.admin)
    limit = app_settings().login_max_failures
    for _ in range(limit):
        assert _error(_sign_in(http, practice.admin_email, STAFF_PASSWORD, app.wrong_code())) == "otp_invalid"
    locked = _sign_in(http, practice.admin_email, STAFF_PASSWORD, app.code())
    assert locked.status_code == 429 and _error(locked) == "too_many_login_attempts"
    confirm_guess = http.post("/v1/me/totp/disable", headers=practice.admin, json={"code": app.code()})
    assert confirm_guess.status_code == 429  # the same count guards every code check of the account
    record_finding(
        "totp_code_guessing",
        FINDING,
        f"POST /v1/auth/token with the right password and {limit} wrong codes, then the right code",
        f"401 otp_invalid x{limit}, then 429 {_error(locked)}",
    )


def test_turning_the_second_factor_off_needs_a_current_code_or_the_password(http):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.biller)
    for body, code in (
        ({"password": "not-the-password"}, "invalid_current_password"),
        ({"code": app.wrong_code()}, "otp_invalid"),
        ({}, "validation_failed"),
        ({"code": app.code(), "password": STAFF_PASSWORD}, "validation_failed"),
    ):
        r = http.post("/v1/me/totp/disable", headers=practice.biller, json=body)
        assert r.status_code == 422 and _error(r) == code, (body, r.text)
    assert _error(_sign_in(http, practice.biller_email, STAFF_PASSWORD)) == "otp_required"

    off = http.post("/v1/me/totp/disable", headers=practice.biller, json={"code": app.code()})
    assert off.status_code == 200 and off.json()["totp_enabled"] is False
    assert _sign_in(http, practice.biller_email, STAFF_PASSWORD).status_code == 200
    again = http.post("/v1/me/totp/disable", headers=practice.biller, json={"password": STAFF_PASSWORD})
    assert again.status_code == 409 and _error(again) == "totp_not_enabled"
    # On again, off with the password this time.
    enrol(http, practice.biller)
    off = http.post("/v1/me/totp/disable", headers=practice.biller, json={"password": STAFF_PASSWORD})
    assert off.status_code == 200 and off.json()["totp_enabled"] is False


def test_an_admin_resets_a_colleagues_second_factor_but_not_their_own(http):
    practice = make_practice_via_api(http)
    enrol(http, practice.biller)
    biller_id = user_id(practice.biller_email)
    r = http.delete(f"/v1/users/{biller_id}/totp", headers=practice.admin)
    assert r.status_code == 200 and r.json()["totp_enabled"] is False, r.text
    assert http.get("/v1/me", headers=practice.biller).status_code == 401  # their sign-ins end too
    assert _sign_in(http, practice.biller_email, STAFF_PASSWORD).status_code == 200  # password alone again

    enrol(http, practice.admin)
    own = http.delete(f"/v1/users/{user_id(practice.admin_email)}/totp", headers=practice.admin)
    assert own.status_code == 409 and _error(own) == "cannot_reset_own_totp"
    assert http.get("/v1/me", headers=practice.admin).json()["totp_enabled"] is True
    event = http.get(f"/v1/audit-events?entity=user&entity_id={biller_id}", headers=practice.admin).json()["data"][0]
    assert event["action"] == "user.totp_reset" and event["data"] == {"was_enabled": True, "sign_ins_ended": 1}


def test_a_practice_that_requires_a_second_factor_lets_staff_without_one_only_enrol(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    client_token = auth(portal_login(http, practice, client["id"]))
    admin_app = enrol(http, practice.admin)
    biller_before = practice.biller  # signed in before the rule

    r = http.patch("/v1/settings", headers=practice.admin, json={"require_staff_totp": True})
    assert r.status_code == 200 and r.json()["require_staff_totp"] is True
    refused = http.get("/v1/clients", headers=biller_before)
    assert refused.status_code == 403 and _error(refused) == "totp_enrollment_required", refused.text

    signed_in = _sign_in(http, practice.biller_email, STAFF_PASSWORD)
    assert signed_in.status_code == 200 and signed_in.json()["totp_enrollment_required"] is True
    biller = auth(signed_in.json()["access_token"])
    me = http.get("/v1/me", headers=biller)
    assert me.status_code == 200 and me.json()["totp_enrollment_required"] is True
    for r in (
        http.get("/v1/clients", headers=biller),
        http.get("/v1/invoices", headers=biller),
        http.post("/v1/clients", headers=biller, json={"name": "Sneaky"}),
    ):
        assert r.status_code == 403 and _error(r) == "totp_enrollment_required", r.text
    # The rule is for staff: the admin who has a second factor and the clients carry on.
    assert http.get("/v1/clients", headers=practice.admin).status_code == 200
    assert http.get("/v1/portal/invoices", headers=client_token).status_code == 200

    enrol(http, biller)  # the same sign-in enrols, and from then on does everything
    assert http.get("/v1/clients", headers=biller).status_code == 200
    assert http.get("/v1/me", headers=biller).json()["totp_enrollment_required"] is False
    kept = http.post("/v1/me/totp/disable", headers=biller, json={"password": STAFF_PASSWORD})
    assert kept.status_code == 409 and _error(kept) == "totp_required_by_practice"
    record_finding(
        "require_staff_totp",
        FINDING,
        "PATCH /v1/settings {require_staff_totp: true}; then GET /v1/clients with a biller's sign-in "
        "(from before, and a new one) without a second factor",
        f"403 {_error(refused)} for both until they enrol with that sign-in; then 200",
    )

    # Turned off again, everyone's sign-ins work as before.
    assert _sign_in(http, practice.admin_email, STAFF_PASSWORD, admin_app.code()).status_code == 200
    assert http.patch("/v1/settings", headers=practice.admin, json={"require_staff_totp": False}).status_code == 200
    assert http.get("/v1/clients", headers=biller_before).status_code == 401  # ended by the enrolment above


def test_clients_have_no_second_factor_and_operators_may_enrol(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    client_token = auth(portal_login(http, practice, client["id"]))
    r = http.post("/v1/me/totp", headers=client_token)
    assert r.status_code == 403 and _error(r) == "role_forbidden"
    operator = auth(login(http, OPERATOR_EMAIL, OPERATOR_PASSWORD))
    app = enrol(http, operator)
    assert _error(_sign_in(http, OPERATOR_EMAIL, OPERATOR_PASSWORD)) == "otp_required"
    assert _sign_in(http, OPERATOR_EMAIL, OPERATOR_PASSWORD, app.code()).status_code == 200


def test_an_unknown_email_with_a_code_is_just_wrong_credentials(http):
    r = _sign_in(http, f"nobody-{uuid.uuid4().hex[:6]}@example.com", "whatever-password", "123456")
    assert r.status_code == 401 and _error(r) == "invalid_credentials"
