"""An admin connects the practice's Stripe account; the secrets are checked, encrypted, never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import stripe
from cryptography.fernet import Fernet
from sqlalchemy import select

from shared.audit.models import AuditEvent
from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.security.secrets import decrypt_secret
from tests import stack
from tests.factories import (
    auth,
    connect_stripe,
    give_portal_access,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    new_keys,
    stripe_settings,
)


def _put(http, practice, keys, **extra):
    return http.put("/v1/settings/stripe", headers=practice.admin, json=stripe_settings(keys, **extra))


def test_admin_connects_stripe_and_never_sees_the_secrets_again(http, localstripe):
    practice = make_practice_via_api(http)
    keys = new_keys()
    r = _put(http, practice, keys, api_base=localstripe.url)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["connected"] is True
    assert answer["publishable_key"] == keys.publishable_key
    assert answer["secret_key_last4"] == keys.secret_key[-4:]
    assert answer["webhook_secret_set"] is True
    assert answer["webhook_url"] == f"http://127.0.0.1:8001/v1/stripe/webhooks/{practice.group_id}"

    for who in (practice.admin, practice.biller):
        got = http.get("/v1/settings/stripe", headers=who)
        assert got.status_code == 200
        assert got.json()["connected"] is True
        assert keys.secret_key not in got.text and keys.webhook_secret not in got.text
    assert keys.secret_key not in r.text and keys.webhook_secret not in r.text

    with session_scope() as session:
        group = session.get(Group, uuid.UUID(practice.group_id))
        assert keys.secret_key.encode() not in group.stripe_secret_key_encrypted
        assert decrypt_secret(group.stripe_secret_key_encrypted) == keys.secret_key
        assert decrypt_secret(group.stripe_webhook_secret_encrypted) == keys.webhook_secret
        trail = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "stripe.connected")))
    assert len(trail) == 1
    assert keys.secret_key not in json.dumps(trail[0].data) and keys.webhook_secret not in json.dumps(trail[0].data)


def test_a_key_stripe_refuses_saves_nothing(http, localstripe):
    practice = make_practice_via_api(http)
    keys = new_keys()
    keys.secret_key = "rk_test_" + uuid.uuid4().hex  # well formed, but the stand-in accepts only sk_ keys
    r = _put(http, practice, keys, api_base=localstripe.url)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "stripe_key_invalid"
    assert r.json()["error"]["param"] == "secret_key"
    assert keys.secret_key not in r.text
    got = http.get("/v1/settings/stripe", headers=practice.admin).json()
    assert got["connected"] is False and got["publishable_key"] is None and got["webhook_secret_set"] is False


def test_misplaced_keys_are_refused_before_asking_stripe(http, localstripe):
    practice = make_practice_via_api(http)
    good = new_keys()
    cases = [
        ({"secret_key": good.publishable_key}, "secret_key"),
        ({"publishable_key": good.secret_key}, "publishable_key"),
        ({"webhook_secret": "not-a-signing-secret"}, "webhook_secret"),
        ({"publishable_key": "pk_live_" + uuid.uuid4().hex}, "publishable_key"),  # test secret, live publishable
    ]
    for change, param in cases:
        body = stripe_settings(good, api_base=localstripe.url) | change
        r = http.put("/v1/settings/stripe", headers=practice.admin, json=body)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["error"]["param"] == param
    assert http.get("/v1/settings/stripe", headers=practice.admin).json()["connected"] is False


def test_stripe_unreachable_is_503_and_saves_nothing(http, localstripe):
    practice = make_practice_via_api(http)
    r = _put(http, practice, new_keys(), api_base=f"http://127.0.0.1:{stack.free_port()}")
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "stripe_unavailable"
    assert http.get("/v1/settings/stripe", headers=practice.admin).json()["connected"] is False


def test_only_admins_change_the_connection_and_clients_see_none_of_it(http, localstripe):
    practice = make_practice_via_api(http)
    keys = new_keys()
    r = http.put("/v1/settings/stripe", headers=practice.biller, json=stripe_settings(keys))
    assert r.status_code == 403
    client = make_client_via_api(http, practice)
    client_token = give_portal_access(http, practice, client["id"])
    assert http.get("/v1/settings/stripe", headers=auth(client_token)).status_code == 403
    assert http.get("/v1/settings/stripe/health", headers=auth(client_token)).status_code == 403
    assert http.delete("/v1/settings/stripe", headers=practice.biller).status_code == 403


def test_disconnecting_stops_card_payments_but_not_manual_ones(http, localstripe):
    practice = make_practice_via_api(http)
    connect_stripe(http, practice, localstripe.url)
    client = make_client_via_api(http, practice)
    client_token = give_portal_access(http, practice, client["id"])
    invoice_id = make_invoice(practice.group_id, client["id"], 5_000)

    r = http.delete("/v1/settings/stripe", headers=practice.admin)
    assert r.status_code == 200
    assert r.json()["connected"] is False and r.json()["secret_key_last4"] is None

    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=auth(client_token), json={})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "stripe_not_connected"
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": 5_000, "method": "check", "received_date": "2026-04-02", "reference": "check 1001"},
    )
    assert r.status_code == 201, r.text
    assert http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["status"] == "paid"


def test_api_base_is_refused_in_production(http, localstripe, monkeypatch):
    from shared.config import clear_settings_cache

    practice = make_practice_via_api(http)
    monkeypatch.setenv("CLINICPAY_ENVIRONMENT", "production")
    clear_settings_cache()
    try:
        r = _put(http, practice, new_keys(), api_base=localstripe.url)
    finally:
        monkeypatch.setenv("CLINICPAY_ENVIRONMENT", "test")
        clear_settings_cache()
    assert r.status_code == 422
    assert r.json()["error"]["param"] == "api_base"


def test_rotate_secrets_reencrypts_every_group_with_the_newest_key(http, localstripe):
    practice = make_practice_via_api(http)
    keys = connect_stripe(http, practice, localstripe.url)
    newest = Fernet.generate_key().decode()
    env = stack.child_env(CLINICPAY_SECRET_KEYS=f"{newest},{os.environ['CLINICPAY_SECRET_KEYS']}")
    done = subprocess.run(
        [str(stack.REPO_ROOT / ".venv" / "bin" / "clinicpay"), "rotate-secrets"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert keys.secret_key not in done.stdout + done.stderr
    with session_scope() as session:
        group = session.get(Group, uuid.UUID(practice.group_id))
        only_newest = Fernet(newest.encode())
        assert only_newest.decrypt(bytes(group.stripe_secret_key_encrypted)).decode() == keys.secret_key
        assert only_newest.decrypt(bytes(group.stripe_webhook_secret_encrypted)).decode() == keys.webhook_secret


def test_api_base_names_only_a_stand_in_on_this_machine_or_the_dev_profile(http, localstripe):
    from shared.stripe_sync.connection import _is_development_stripe
    from tests.security.review import record_finding

    practice = make_practice_via_api(http)
    answers = {}
    for target in (
        "http://169.254.169.254/latest",
        "http://10.0.0.5:8420",
        "https://api.example.com",
        "http://[::ffff:10.0.0.1]",
    ):
        r = _put(http, practice, new_keys(), api_base=target)
        assert r.status_code == 422, (target, r.text)
        assert r.json()["error"]["code"] == "api_base_not_allowed", r.text
        answers[target] = r.json()["error"]["code"]
    with session_scope() as session:
        assert session.get(Group, practice.group_id).stripe_api_base is None  # nothing was stored
    assert _put(http, practice, new_keys(), api_base=localstripe.url).status_code == 200
    # What the compose dev profile and make run use, besides any loopback address.
    assert all(_is_development_stripe(h) for h in ("localstripe", "localhost", "127.0.0.1", "127.8.9.10", "::1"))
    record_finding(
        "stripe_api_base",
        "8. Stripe api_base",
        "PUT /v1/settings/stripe api_base=http://169.254.169.254/latest (and 10.0.0.5, api.example.com)",
        "422 api_base_not_allowed each; a loopback localstripe 200",
    )


def test_localstripe_as_make_run_starts_it_listens_on_loopback_only():
    import psutil

    from tests.conftest import ProcessHandle

    port = stack.free_port()
    # The command deploy/local/devstack.py runs (no --host).
    handle = ProcessHandle(
        f"localstripe-bind-{port}",
        [sys.executable, str(stack.REPO_ROOT / "deploy" / "local" / "localstripe_inmemory.py"), "--port", str(port)],
        stack.child_env(),
    )
    handle.start()
    try:
        stack.wait_for_http(f"http://127.0.0.1:{port}/js.stripe.com/v3/", proc=handle.proc)
        listening = {
            c.laddr.ip
            for c in psutil.Process(handle.proc.pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port
        }
    finally:
        handle.stop()
    assert listening == {"127.0.0.1"}, listening


def test_sync_health_names_the_stripe_api_version_clinicpay_is_written_against(http, localstripe):
    practice = make_practice_via_api(http)
    before = http.get("/v1/settings/stripe/health", headers=practice.biller)
    assert before.status_code == 200 and before.json()["connected"] is False
    assert before.json()["api_version"] == stripe.api_version == "2026-10-28.endive"
    connect_stripe(http, practice, localstripe.url)
    after = http.get("/v1/settings/stripe/health", headers=practice.admin).json()
    assert after["connected"] is True and after["api_version"] == "2026-10-28.endive"
    # The same version the connection page shows and the webhook endpoint was made with.
    assert http.get("/v1/settings/stripe", headers=practice.admin).json()["api_version"] == after["api_version"]
