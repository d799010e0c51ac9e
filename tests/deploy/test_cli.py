"""The `clinicpay` command as an operator runs it: a real process against the test database."""

from __future__ import annotations

import subprocess
import sys

import httpx
from sqlalchemy import func, select

from shared.billing.models import BillingRate, Service
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.demo import ADMIN_EMAIL, BILLER_EMAIL, CLIENTS, DEMO_PASSWORD, GROUP_NAME, STRIPE_SECRET_KEY
from shared.groups.models import Group
from shared.users.models import User
from tests import stack
from tests.conftest import poll_until
from tests.factories import auth, login


def clinicpay(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    child_env = stack.child_env(**env)
    for name, value in env.items():
        if value == "":
            child_env.pop(name, None)  # "" means: as if the variable were not set at all
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], input=stdin, capture_output=True, text=True,
                          env=child_env, cwd=stack.REPO_ROOT, timeout=120)


def counts() -> dict[str, int]:
    with session_scope() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Group, User, Client, BillingRate, Service)}


def test_create_operator_reads_the_password_from_stdin_and_can_log_in(http):
    done = clinicpay("create-operator", "Boss@Example.com", "--password-stdin", stdin="a-long-password-1\n")
    assert done.returncode == 0, done.stderr
    assert "operator Boss@Example.com created" in done.stdout

    token = login(http, "boss@example.com", "a-long-password-1")
    r = http.post("/v1/groups", headers=auth(token), json={
        "name": "Calm Therapy", "currency": "usd", "timezone": "America/Chicago",
        "admin_email": "admin@calm.example", "admin_password": "admin-password-1"})
    assert r.status_code == 201, r.text

    again = clinicpay("create-operator", "boss@example.com", "--password-stdin", stdin="another-password-2\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    short = clinicpay("create-operator", "other@example.com", "--password-stdin", stdin="short\n")
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    without_flag = clinicpay("create-operator", "other@example.com")
    assert without_flag.returncode == 2


def test_seed_demo_twice_creates_the_practice_once_and_its_logins_work(http):
    first = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert first.returncode == 0, first.stderr
    assert GROUP_NAME in first.stdout
    assert "not connected" in first.stdout
    assert DEMO_PASSWORD not in first.stdout  # not a terminal: a password never lands in captured output
    after_first = counts()
    assert after_first == {"Group": 1, "User": 1 + 2 + len(CLIENTS), "Client": 2, "BillingRate": 2, "Service": 5}

    second = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert second.returncode == 0, second.stderr
    assert "created: nothing new" in second.stdout
    assert counts() == after_first

    admin = login(http, ADMIN_EMAIL, DEMO_PASSWORD)
    assert http.get("/v1/settings", headers=auth(admin)).json()["name"] == GROUP_NAME
    login(http, BILLER_EMAIL, DEMO_PASSWORD)
    login(http, CLIENTS[0][2], DEMO_PASSWORD)
    with session_scope() as session:
        rates = {r.name: r for r in session.scalars(select(BillingRate))}
        services = list(session.scalars(select(Service)))
    assert rates["General Service"].payer == "insurance"
    copy = rates["General Service (Self-Pay)"]
    assert (copy.payer, copy.is_invoiced, copy.self_pay_source_id) == ("self_pay", True, rates["General Service"].id)
    assert {s.billing_rate_id for s in services} == {r.id for r in rates.values()}
    assert [s.insurance_paid_cents for s in services if s.insurance_paid_cents] == [9000]


def test_seed_demo_restores_a_changed_demo_password(http):
    assert clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="").returncode == 0
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == BILLER_EMAIL))
        user.password_hash = "not-a-hash"
    refreshed = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert f"password reset for {BILLER_EMAIL}" in refreshed.stdout
    login(http, BILLER_EMAIL, DEMO_PASSWORD)


def test_seed_demo_connects_the_demo_practice_to_localstripe_and_its_events_arrive(localstripe, receiver):
    done = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url,
                     CLINICPAY_PUBLIC_WEBHOOK_BASE_URL=receiver.url)
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        group = session.scalar(select(Group))
        group_id = group.id
        assert group.stripe_connected
        assert STRIPE_SECRET_KEY.encode() not in bytes(group.stripe_secret_key_encrypted)
    assert receiver.webhook_url(str(group_id)) in done.stdout

    # Anything the demo's key does at localstripe comes back, signed with the demo secret, to the receiver.
    created = httpx.post(f"{localstripe.url}/v1/customers", data={"email": "someone@example.com"},
                         auth=(STRIPE_SECRET_KEY, ""), timeout=10)
    assert created.status_code == 200, created.text

    def stored_events() -> int:
        from shared.stripe_sync.models import StripeEvent  # noqa: PLC0415

        with session_scope() as session:
            return session.scalar(select(func.count()).select_from(StripeEvent)
                                  .where(StripeEvent.group_id == group_id))

    poll_until(stored_events, timeout=30, message="the customer.created event in the demo group's inbox")


def test_seed_demo_refuses_to_run_in_production():
    done = clinicpay("seed-demo", CLINICPAY_ENVIRONMENT="production", CLINICPAY_STRIPE_API_BASE="")
    assert done.returncode == 1
    assert "never runs in production" in done.stderr
    assert counts()["User"] == 0


def test_rotate_secrets_re_encrypts_with_the_newest_key_so_the_old_one_can_go(localstripe):
    old_key, new_key = "old-key-material-1", "new-key-material-2"
    seeded = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url, CLINICPAY_SECRET_KEYS=old_key)
    assert seeded.returncode == 0, seeded.stderr

    rotated = clinicpay("rotate-secrets", CLINICPAY_SECRET_KEYS=f"{new_key},{old_key}")
    assert rotated.returncode == 0, rotated.stderr
    assert "1 group(s)" in rotated.stdout

    check = ("from sqlalchemy import select; import shared.db.models; from shared.db.engine import session_scope;"
             "from shared.groups.models import Group; from shared.security.secrets import decrypt_secret\n"
             "with session_scope() as s: print(decrypt_secret(s.scalar(select(Group)).stripe_secret_key_encrypted))")
    only_new = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=stack.REPO_ROOT,
                              env=stack.child_env(CLINICPAY_SECRET_KEYS=new_key), timeout=60)
    assert only_new.stdout.strip() == STRIPE_SECRET_KEY, only_new.stderr


def test_the_command_says_plainly_when_the_database_is_unreachable():
    done = clinicpay("migrate", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{stack.free_port()}/nothing")
    assert done.returncode == 1
    assert "cannot reach the database at 127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr


def test_replay_event_is_a_command():
    done = clinicpay("--help")
    assert "replay-event" in done.stdout and "rotate-secrets" in done.stdout
