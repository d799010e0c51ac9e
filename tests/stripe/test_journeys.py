"""A new practice's Stripe journeys, end to end: connect with two keys, pay with 4242, a decline,
3-D Secure, and Stripe's word reaching the ledger through our webhook or through reconciliation.

One code path over a target (tests/stripe/targets.py): the stand-in with webhooks and without them in
every run, and a real Stripe sandbox in `make test-stripe-live`, so the live check cannot rot.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from shared.config import clear_settings_cache
from tests.conftest import Receiver, celery_worker_process, poll_until, wait_for_worker
from tests.factories import (
    PayingClient,
    give_portal_access,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    reconcile,
)
from tests.stripe.targets import (
    LIVE_RECEIVER_PORT,
    StripeTarget,
    live_run,
    live_target,
    standin_target,
)

# Stripe's test payment methods (https://docs.stripe.com/testing); the stand-in knows the same names.
VISA = "pm_card_visa"
DECLINED = "pm_card_visa_chargeDeclined"
THREE_D_SECURE = "pm_card_authenticationRequired"
# Where nothing listens: the stand-in's deliveries fail, so only reconciliation can bring Stripe's word.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
def live_worker() -> Iterator[None]:
    """A worker whose Stripe is Stripe itself (no stand-in address in its environment)."""
    handle = celery_worker_process("worker-live")
    handle.start()
    wait_for_worker()
    yield
    handle.stop()


@pytest.fixture(scope="session")
def live_receiver() -> Iterator[Receiver]:
    """The receiver on the port the public address (CLINICPAY_PUBLIC_WEBHOOK_BASE_URL) is forwarded to."""
    import os

    receiver = Receiver(port=int(os.environ[LIVE_RECEIVER_PORT])).start()
    yield receiver
    receiver.stop()


@pytest.fixture(params=["standin-webhooks", "standin-reconciliation", "live"])
def target(request, monkeypatch) -> Iterator[StripeTarget]:
    if request.param == "live":
        if not live_run():
            pytest.skip("the live check: `make test-stripe-live` with a Stripe sandbox's test keys")
        chosen = live_target()
        if chosen is None:
            pytest.fail("make test-stripe-live needs CLINICPAY_STRIPE_TEST_SECRET_KEY and ..._PUBLISHABLE_KEY")
        request.getfixturevalue("live_worker")
        if chosen.webhooks:
            request.getfixturevalue("live_receiver")
    else:
        if live_run():
            pytest.skip("this run is the live check; the stand-in journeys run in `make test`")
        localstripe = request.getfixturevalue("localstripe")
        request.getfixturevalue("worker")
        webhooks = request.param == "standin-webhooks"
        public = request.getfixturevalue("receiver").url if webhooks else NOWHERE
        monkeypatch.setenv("CLINICPAY_PUBLIC_WEBHOOK_BASE_URL", public)
        chosen = standin_target(localstripe.url, webhooks=webhooks)
    clear_settings_cache()
    yield chosen
    monkeypatch.undo()
    clear_settings_cache()


def _connect(http, target: StripeTarget) -> tuple[PayingClient, dict]:
    """The admin enters two keys, nothing else; a client with a portal login is ready to pay."""
    practice = make_practice_via_api(http)
    body = {"secret_key": target.keys.secret_key, "publishable_key": target.keys.publishable_key}
    if target.api_base:
        body["api_base"] = target.api_base
    r = http.put("/v1/settings/stripe", headers=practice.admin, json=body)
    assert r.status_code == 200, r.text
    client = make_client_via_api(http, practice, name="Robin Client", email="robin@example.com")
    token = give_portal_access(http, practice, client["id"])
    return PayingClient(practice, target.keys, client["id"], token, "Robin Client", "robin@example.com"), r.json()


@pytest.fixture
def connected(http, target) -> Iterator[tuple[PayingClient, dict]]:
    paying, answer = _connect(http, target)
    yield paying, answer
    # At real Stripe, leave the sandbox as it was: disconnecting deletes the endpoint clinicpay made.
    if target.live:
        http.delete("/v1/settings/stripe", headers=paying.practice.admin)


def _start(http, paying: PayingClient, invoice_id: str) -> dict:
    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert r.status_code == 201, r.text
    return r.json()


def _confirm(http, paying: PayingClient, payment_id: str, token: str | None = None) -> dict:
    body = {"confirmation_token": token} if token else None
    r = http.post(f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _invoice(http, paying: PayingClient, invoice_id: str) -> dict:
    return http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()


def _settled(http, target: StripeTarget, paying: PayingClient, invoice_id: str, status: str = "paid") -> dict:
    """Stripe's word reaches the ledger by itself: the webhook, or (without one) reconciliation."""

    def arrived():
        invoice = _invoice(http, paying, invoice_id)
        if invoice["status"] == status:
            return invoice
        if not target.webhooks:
            job = reconcile(http, paying.practice, timeout=60)
            assert job["status"] == "succeeded" and job["errors"] == [], job
        return None

    return poll_until(arrived, timeout=90, interval=1.0, message=f"the invoice to be {status}")


def test_an_admin_connects_with_two_keys(http, target, connected):
    paying, answer = connected
    assert answer["connected"] is True
    assert answer["api_version"] == stripe.api_version
    if target.webhooks:
        assert answer["webhook_mode"] == "endpoint" and answer["webhook_problem"] is None, answer
    elif target.live:
        # Real Stripe cannot reach a receiver on this machine: connect says so, and reconciliation keeps step.
        assert answer["webhook_problem"]["code"], answer
        assert "CLINICPAY_PUBLIC_WEBHOOK_BASE_URL" in answer["webhook_problem"]["message"]
    health = http.get("/v1/settings/stripe/health", headers=paying.practice.biller)
    assert health.status_code == 200, health.text


def test_the_4242_card_pays_the_invoice(http, target, connected):
    paying, _ = connected
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 12_000)
    started = _start(http, paying, invoice_id)
    assert started["amount_cents"] == 12_000 and "card" in started["payment_method_types"]
    paid = _confirm(http, paying, started["payment_id"], target.confirmation_token(VISA))
    assert paid["status"] == "succeeded", paid

    invoice = _settled(http, target, paying, invoice_id)
    assert invoice["paid_cents"] == 12_000 and invoice["balance_cents"] == 0
    summary = http.get("/v1/portal/summary", headers=paying.headers).json()
    assert summary["unpaid_invoice_count"] == 0


def test_a_decline_is_shown_and_the_client_pays_again(http, target, connected):
    paying, _ = connected
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 8_000)
    first = _start(http, paying, invoice_id)
    declined = _confirm(http, paying, first["payment_id"], target.confirmation_token(DECLINED))
    assert declined["status"] == "failed" and declined["failure_code"] == "card_declined", declined
    assert "declined" in declined["failure_message"].lower()
    assert _invoice(http, paying, invoice_id)["status"] == "open"

    again = _start(http, paying, invoice_id)
    assert again["payment_id"] != first["payment_id"]
    assert _confirm(http, paying, again["payment_id"], target.confirmation_token(VISA))["status"] == "succeeded"
    assert _settled(http, target, paying, invoice_id)["paid_cents"] == 8_000


def test_3d_secure_asks_the_bank_and_an_abandoned_one_locks_no_one_out(http, target, connected):
    paying, _ = connected
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 9_900)
    started = _start(http, paying, invoice_id)
    asked = _confirm(http, paying, started["payment_id"], target.confirmation_token(THREE_D_SECURE))
    assert asked["status"] == "requires_action", asked
    secret = asked["payment_intent_client_secret"]
    assert secret and secret.startswith("pi_")

    if not target.live:
        # The stand-in's bank window, as stripe.handleNextAction completes it; the confirm re-reads Stripe.
        from tests.stripe.browser import authenticate

        authenticate(started["stripe_js_url"], started["publishable_key"], secret)
        assert _confirm(http, paying, started["payment_id"])["status"] == "succeeded"
        assert _settled(http, target, paying, invoice_id)["paid_cents"] == 9_900
        return

    # At real Stripe the bank's window needs a person: abandon it; the client can start afresh.
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert r.status_code == 200 and r.json()["status"] == "canceled", r.text
    fresh = _start(http, paying, invoice_id)
    assert fresh["payment_id"] != started["payment_id"]
    assert _confirm(http, paying, fresh["payment_id"], target.confirmation_token(VISA))["status"] == "succeeded"
    assert _settled(http, target, paying, invoice_id)["paid_cents"] == 9_900
