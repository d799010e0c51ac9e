"""The `clinicpay` command as an operator runs it: a real process against the test database."""

from __future__ import annotations

import subprocess
import sys

import stripe
from sqlalchemy import func, select

from shared.billing.models import BillingRate, Service
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.demo import (
    ADMIN_EMAIL,
    BILLER_EMAIL,
    CLIENTS,
    DEMO_PASSWORD,
    FORMER_ADDRESSES,
    GROUP_NAME,
    STRIPE_SECRET_KEY,
)
from shared.groups.models import Group
from shared.users.models import User
from tests import stack
from tests.conftest import poll_until
from tests.factories import CALM_THERAPY_SIGNUP, auth, login


def clinicpay(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    child_env = stack.child_env(**env)
    for name, value in env.items():
        if value == "":
            child_env.pop(name, None)  # "" means: as if the variable were not set at all
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=child_env,
        cwd=stack.REPO_ROOT,
        timeout=120,
    )


def counts() -> dict[str, int]:
    with session_scope() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Group, User, Client, BillingRate, Service)
        }


def test_create_operator_reads_the_password_from_stdin_and_can_log_in(http):
    done = clinicpay("create-operator", "Boss@Example.com", "--password-stdin", stdin="a-long-password-1\n")
    assert done.returncode == 0, done.stderr
    assert "operator Boss@Example.com created" in done.stdout

    token = login(http, "boss@example.com", "a-long-password-1")
    r = http.post(
        "/v1/groups",
        headers=auth(token),
        json=CALM_THERAPY_SIGNUP,
    )
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


def test_seed_demo_moves_a_database_seeded_with_the_former_addresses_and_makes_no_second_practice(http):
    assert clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="").returncode == 0
    before = counts()
    with session_scope() as session:  # what an earlier version of the demo left (".test", refused now)
        for former, address in FORMER_ADDRESSES.items():
            session.execute(User.__table__.update().where(User.email == address).values(email=former))
            session.execute(Client.__table__.update().where(Client.email == address).values(email=former))

    moved = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert moved.returncode == 0, moved.stderr
    assert f"login admin@demo.clinicpay.test is now {ADMIN_EMAIL}" in moved.stdout
    assert counts() == before  # the same practice, logins and clients: none beside them
    with session_scope() as session:
        left = session.scalars(select(User.email).where(User.email.like("%.test"))).all()
        left += session.scalars(select(Client.email).where(Client.email.like("%.test"))).all()
        clients = dict(session.execute(select(Client.name, Client.email)).all())
    assert left == []
    assert clients == {name: email for _, name, email in CLIENTS}
    admin = login(http, ADMIN_EMAIL, DEMO_PASSWORD)
    assert http.get("/v1/settings", headers=auth(admin)).json()["name"] == GROUP_NAME
    login(http, CLIENTS[1][2], DEMO_PASSWORD)
    assert "created: nothing new" in clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="").stdout


def test_seed_demo_restores_a_changed_demo_password(http):
    assert clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="").returncode == 0
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == BILLER_EMAIL))
        user.password_hash = "not-a-hash"
    refreshed = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert f"password reset for {BILLER_EMAIL}" in refreshed.stdout
    login(http, BILLER_EMAIL, DEMO_PASSWORD)


def test_seed_demo_puts_back_a_demo_login_that_was_demoted_deactivated_or_given_a_second_factor(http):
    assert clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="").returncode == 0
    admin = auth(login(http, ADMIN_EMAIL, DEMO_PASSWORD))
    staff = http.get("/v1/users", headers=admin).json()["data"]
    biller_id = next(u["id"] for u in staff if u["email"] == BILLER_EMAIL)
    assert http.patch(f"/v1/users/{biller_id}", headers=admin, json={"role": "admin"}).status_code == 200
    assert http.post("/v1/me/totp", headers=admin).status_code == 201
    with session_scope() as session:  # as if its confirmation had gone through
        session.execute(User.__table__.update().where(User.email == ADMIN_EMAIL).values(totp_enabled_at=func.now()))
    assert http.patch(f"/v1/users/{biller_id}", headers=admin, json={"is_active": False}).status_code == 200

    refreshed = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE="")
    assert f"password reset for {BILLER_EMAIL}" in refreshed.stdout
    assert f"password reset for {ADMIN_EMAIL}" in refreshed.stdout
    biller = login(http, BILLER_EMAIL, DEMO_PASSWORD)
    assert http.get("/v1/me", headers=auth(biller)).json()["role"] == "biller"
    assert http.get("/v1/me", headers=auth(login(http, ADMIN_EMAIL, DEMO_PASSWORD))).json()["totp_enabled"] is False


def test_seed_demo_connects_the_demo_practice_to_localstripe_and_its_events_arrive(localstripe, receiver):
    done = clinicpay(
        "seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url, CLINICPAY_PUBLIC_WEBHOOK_BASE_URL=receiver.url
    )
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        group = session.scalar(select(Group))
        group_id = group.id
        endpoint_id = group.stripe_webhook_endpoint_id
        assert group.stripe_connected
        assert STRIPE_SECRET_KEY.encode() not in bytes(group.stripe_secret_key_encrypted)
    assert receiver.webhook_url(str(group_id)) in done.stdout

    # The demo's own webhook endpoint, made by clinicpay at the stand-in: a payment made with the demo's key
    # comes back, signed with the endpoint's secret, to the receiver.
    client = stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api": localstripe.url}, max_network_retries=0)
    assert endpoint_id
    endpoint = client.v1.webhook_endpoints.retrieve(endpoint_id)
    assert endpoint.url == receiver.webhook_url(str(group_id)) and endpoint.api_version == stripe.api_version
    pi = client.v1.payment_intents.create(params={"amount": 1_000, "currency": "usd", "payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(pi.id)

    def stored_events() -> int:
        from shared.stripe_sync.models import StripeEvent

        with session_scope() as session:
            return session.scalar(select(func.count()).select_from(StripeEvent).where(StripeEvent.group_id == group_id))

    poll_until(stored_events, timeout=30, message="the payment_intent.succeeded event in the demo group's inbox")

    # A second run (the stand-in restarted and forgot the endpoint) makes it again; one that still knows it keeps it.
    again = clinicpay(
        "seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url, CLINICPAY_PUBLIC_WEBHOOK_BASE_URL=receiver.url
    )
    assert again.returncode == 0, again.stderr
    with session_scope() as session:
        assert session.scalar(select(Group)).stripe_webhook_endpoint_id == endpoint.id
    client.v1.webhook_endpoints.delete(endpoint.id)
    forgot = clinicpay(
        "seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url, CLINICPAY_PUBLIC_WEBHOOK_BASE_URL=receiver.url
    )
    assert forgot.returncode == 0, forgot.stderr
    assert "stripe webhook endpoint" in forgot.stdout
    with session_scope() as session:
        remade = session.scalar(select(Group)).stripe_webhook_endpoint_id
    assert remade and remade != endpoint.id
    assert client.v1.webhook_endpoints.retrieve(remade).url == receiver.webhook_url(str(group_id))


def test_seed_demo_refuses_to_run_in_production():
    done = clinicpay("seed-demo", CLINICPAY_ENVIRONMENT="production", CLINICPAY_STRIPE_API_BASE="")
    assert done.returncode == 1
    assert "never runs in production" in done.stderr
    assert counts()["User"] == 0


def test_rotate_secrets_re_encrypts_with_the_newest_key_so_the_old_one_can_go(localstripe):
    old_key, new_key = "old-key-material-1", "new-key-material-2"
    seeded = clinicpay("seed-demo", CLINICPAY_STRIPE_API_BASE=localstripe.url, CLINICPAY_SECRET_KEYS=old_key)
    assert seeded.returncode == 0, seeded.stderr

    # The demo admin has a second factor, its secret encrypted with the old key like the Stripe ones.
    totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    give_totp = (
        "from sqlalchemy import select; import shared.db.models; from shared.db.engine import session_scope;"
        "from shared.users.models import User; from shared.security.secrets import encrypt_secret\n"
        "with session_scope() as s:\n"
        "    s.scalar(select(User).where(User.role == 'admin')).totp_secret_encrypted = "
        f"encrypt_secret('{totp_secret}')"
    )
    assert _python(give_totp, old_key).returncode == 0

    rotated = clinicpay("rotate-secrets", CLINICPAY_SECRET_KEYS=f"{new_key},{old_key}")
    assert rotated.returncode == 0, rotated.stderr
    assert "1 group(s)" in rotated.stdout and "TOTP secrets of 1 user(s)" in rotated.stdout

    check = (
        "from sqlalchemy import select; import shared.db.models; from shared.db.engine import session_scope;"
        "from shared.groups.models import Group; from shared.users.models import User;"
        "from shared.security.secrets import decrypt_secret\n"
        "with session_scope() as s:\n"
        "    print(decrypt_secret(s.scalar(select(Group)).stripe_secret_key_encrypted))\n"
        "    print(decrypt_secret(s.scalar(select(User).where(User.role == 'admin')).totp_secret_encrypted))"
    )
    only_new = _python(check, new_key)
    assert only_new.stdout.split() == [STRIPE_SECRET_KEY, totp_secret], only_new.stderr


def _python(code: str, secret_keys: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=stack.REPO_ROOT,
        env=stack.child_env(CLINICPAY_SECRET_KEYS=secret_keys),
        timeout=60,
    )


def test_the_command_says_plainly_when_the_database_is_unreachable():
    done = clinicpay("migrate", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{stack.free_port()}/nothing")
    assert done.returncode == 1
    assert "cannot reach the database at 127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr


def test_replay_event_is_a_command():
    done = clinicpay("--help")
    assert "replay-event" in done.stdout and "rotate-secrets" in done.stdout
