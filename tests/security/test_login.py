"""Signing in: guessing is throttled per account and per address, passwords are argon2id, tokens expire.

Addresses are real: the API sees the loopback address a client socket is bound to (127.0.0.2,
127.0.0.3 …), exactly as it would see two machines.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from shared.config import app_settings
from shared.db.engine import session_scope
from shared.security.tokens import token_digest
from shared.users.models import AccessToken, User
from tests.factories import STAFF_PASSWORD, auth, make_practice
from tests.faults.record import record_scenario


@contextmanager
def from_address(api_url: str, address: str) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=api_url, transport=transport, timeout=30) as client:
        yield client


def _sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/v1/auth/token", data={"username": email, "password": password})


def _throttled(r: httpx.Response) -> bool:
    return r.status_code == 429 and r.json()["error"]["code"] == "too_many_login_attempts"


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(http, api_url):  # noqa: ANN001
    practice = make_practice(http)
    email, limit = practice.admin_email, app_settings().login_max_failures
    with from_address(api_url, "127.0.0.2") as attacker:
        for _ in range(limit):
            assert _sign_in(attacker, email, "not-the-password").status_code == 401
        locked = _sign_in(attacker, email, STAFF_PASSWORD)
        assert _throttled(locked), locked.text
    # The lock is on the account, wherever the next attempt comes from.
    with from_address(api_url, "127.0.0.4") as elsewhere:
        assert _throttled(_sign_in(elsewhere, email, STAFF_PASSWORD))
    # Other accounts are not affected.
    assert _sign_in(http, practice.biller_email, STAFF_PASSWORD).status_code == 200
    record_scenario("login_lockout_per_account", load={"failed_attempts": limit},
                    faults=[f"{limit} wrong passwords for one account, then the right one, from two addresses"],
                    lost={"logins_allowed_while_locked": 0},
                    notes="429 too_many_login_attempts for the right password too, from any address",
                    title="Password guessing on one account")


def test_an_address_is_throttled_after_failing_on_many_accounts(http, api_url):  # noqa: ANN001
    practice = make_practice(http)
    per_account = app_settings().login_max_failures
    per_address = per_account * 4  # services/api/rate_limit.py: an address may try more accounts
    started = time.perf_counter()
    with from_address(api_url, "127.0.0.3") as sprayer:
        attempts = 0
        for n in range(per_address):
            # A few tries each on many accounts: no single account reaches its own limit.
            r = _sign_in(sprayer, f"guess-{n // (per_account - 1)}@example.com", "password123!")
            attempts += 1
            assert r.status_code == 401, (n, r.text)
        throttled = _sign_in(sprayer, practice.admin_email, STAFF_PASSWORD)
        assert _throttled(throttled), throttled.text
    # The account itself was never guessed at: from another address it signs in.
    with from_address(api_url, "127.0.0.5") as colleague:
        assert _sign_in(colleague, practice.admin_email, STAFF_PASSWORD).status_code == 200
    record_scenario("login_throttle_per_address", load={"failed_attempts": attempts, "accounts": attempts // 4 + 1},
                    faults=[f"{attempts} wrong passwords from one address over many accounts"],
                    lost={"logins_allowed_from_throttled_address": 0},
                    notes="the address gets 429; the same account signs in from another address",
                    title="Password spraying from one address", duration_s=time.perf_counter() - started)


def test_passwords_are_stored_as_argon2id_hashes(http):  # noqa: ANN001
    practice = make_practice(http)  # the admin's password went through POST /v1/groups
    r = http.post("/v1/users", headers=practice.admin, json={
        "email": "new.biller@example.com", "password": "a-new-biller-password", "role": "biller"})
    assert r.status_code == 201, r.text
    client = http.post("/v1/clients", headers=practice.biller, json={"name": "Casey Client"}).json()
    r = http.post(f"/v1/clients/{client['id']}/portal-access", headers=practice.biller,
                  json={"email": "casey@example.com", "password": "caseys-portal-password"})
    assert r.status_code == 201, r.text
    with session_scope() as session:
        users = {u.email: u.password_hash for u in session.scalars(select(User))}
    for email in (practice.admin_email, "new.biller@example.com", "casey@example.com"):
        assert users[email].startswith("$argon2id$"), (email, users[email][:20])
    for secret in (STAFF_PASSWORD, "a-new-biller-password", "caseys-portal-password"):
        assert not any(secret in h for h in users.values())


def test_a_token_answers_until_it_expires_and_then_401(http):  # noqa: ANN001
    practice = make_practice(http)
    r = _sign_in(http, practice.admin_email, STAFF_PASSWORD)
    assert r.status_code == 200, r.text
    token, ttl = r.json()["access_token"], app_settings().access_token_ttl_seconds
    assert r.json()["expires_in"] == ttl
    assert http.get("/v1/me", headers=auth(token)).status_code == 200
    with session_scope() as session:
        row = session.scalar(select(AccessToken).where(AccessToken.token_hash == token_digest(token)))
        assert abs((row.expires_at - datetime.now(UTC)).total_seconds() - ttl) < 120
        # Only the token's hash is stored: the token itself appears in no row.
        assert row.token_hash != token and token not in row.token_hash
    with session_scope() as session:  # the clock moves past the token's lifetime
        session.execute(update(AccessToken).where(AccessToken.token_hash == token_digest(token))
                        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    r = http.get("/v1/me", headers=auth(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"
    assert r.headers["www-authenticate"] == "Bearer"
