"""Blank, repeated and common passwords are refused wherever a password is set — the API and the command."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.db.engine import session_scope
from shared.users.models import User
from tests.deploy.test_cli import clinicpay
from tests.factories import auth, make_client_via_api, make_practice_via_api
from tests.security.review import record_finding

WEAK = ["          ", "aaaaaaaaaa", "1234567890", "password12", "qwertyuiop", "iloveyou12"]


def _users() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(User))


def _refused(r, param: str) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "password_too_weak", error
    assert error["param"] == param, error
    return error["code"]


@pytest.mark.parametrize("password", WEAK)
def test_every_api_that_sets_a_password_refuses_a_weak_one(http, password):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    before = _users()
    answers = {
        "POST /v1/groups admin_password": (
            http.post(
                "/v1/groups",
                headers=auth(practice.operator_token),
                json={"name": "Weak Practice", "admin_email": "weak.admin@example.com", "admin_password": password},
            ),
            "admin_password",
        ),
        "POST /v1/users password": (
            http.post(
                "/v1/users",
                headers=practice.admin,
                json={"email": "weak.biller@example.com", "password": password, "role": "biller"},
            ),
            "password",
        ),
        "POST /v1/clients/{id}/portal-access password": (
            http.post(
                f"/v1/clients/{client['id']}/portal-access",
                headers=practice.biller,
                json={"email": "weak.client@example.com", "password": password},
            ),
            "password",
        ),
    }
    codes = {where: _refused(r, param) for where, (r, param) in answers.items()}
    assert _users() == before  # nothing was created
    record_finding(
        f"weak_password_{WEAK.index(password)}",
        "7. Passwords",
        f"password {password!r} to POST /v1/groups, POST /v1/users and POST /v1/clients/{{id}}/portal-access",
        "422 " + ", ".join(sorted(set(codes.values()))) + " from each; no user created",
    )


def test_create_operator_refuses_a_weak_password_and_a_control_character_in_the_email(http):
    for password in ("password12", "          ", "1234567890"):
        done = clinicpay("create-operator", "ops.weak@example.com", "--password-stdin", stdin=f"{password}\n")
        assert done.returncode == 1, (password, done.stdout, done.stderr)
        assert "too easy to guess" in done.stderr, done.stderr
    email = clinicpay("create-operator", "ops\x1b@example.com", "--password-stdin", stdin="a-strong-horse-battery\n")
    assert email.returncode == 1 and "email" in email.stderr, email.stderr
    assert _users() == 0
    strong = clinicpay(
        "create-operator", "ops.strong@example.com", "--password-stdin", stdin="lamp orbit cedar tulip\n"
    )
    assert strong.returncode == 0, strong.stderr
    record_finding(
        "weak_operator_password",
        "7. Passwords",
        "clinicpay create-operator ops.weak@example.com --password-stdin <<< 'password12'",
        "exit 1 'The password is too easy to guess: …'; no operator created",
    )


def test_a_password_made_of_the_practice_or_email_is_weak(http):
    practice = make_practice_via_api(http)
    r = http.post(
        "/v1/users",
        headers=practice.admin,
        json={"email": "harborview.clinic@example.com", "password": "clinicharborview", "role": "biller"},
    )
    assert _refused(r, "password")
    ok = http.post(
        "/v1/users",
        headers=practice.admin,
        json={"email": "harborview.clinic@example.com", "password": "velvet-canyon-mosaic", "role": "biller"},
    )
    assert ok.status_code == 201, ok.text
