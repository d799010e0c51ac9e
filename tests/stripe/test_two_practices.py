"""Two practices, each on its own Stripe (two localstripe instances): neither sees the other's
payments, keys or events. And on one shared Stripe, a run never touches the other's payments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.conftest import LocalStripe, poll_until
from tests.factories import make_invoice, make_paying_client, reconcile
from tests.stripe.browser import pay, start_payment
from tests.stripe.conftest import PI_EVENTS


@pytest.fixture
def second_stripe() -> Iterator[LocalStripe]:
    server = LocalStripe("localstripe-second").start()
    yield server
    server.stop()


def _pay(http, paying, total):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = start_payment(http, paying.headers, invoice_id)
    r = pay(http, paying.headers, started, payment_method="pm_card_visa")
    assert r.json()["status"] == "succeeded", r.text
    return invoice_id, started


def _intents(server, paying):
    client = stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": server.url}, max_network_retries=0)
    return [p.to_dict() for p in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()]


def test_each_practice_on_its_own_stripe_sees_only_its_own(http, localstripe, second_stripe, receiver, worker):
    a = make_paying_client(http, localstripe.url, name="Alex A")
    b = make_paying_client(http, second_stripe.url, name="Blair B")
    localstripe.register_webhook(
        "practice-a", receiver.webhook_url(a.practice.group_id), a.keys.webhook_secret, PI_EVENTS
    )
    second_stripe.register_webhook(
        "practice-b", receiver.webhook_url(b.practice.group_id), b.keys.webhook_secret, PI_EVENTS
    )
    try:
        invoice_a, started_a = _pay(http, a, 11_000)
        invoice_b, started_b = _pay(http, b, 22_000)
        assert started_a["stripe_js_url"].startswith(localstripe.url)
        assert started_b["stripe_js_url"].startswith(second_stripe.url)

        # Each Stripe holds only its practice's payment.
        assert [p["metadata"]["group_id"] for p in _intents(localstripe, a)] == [a.practice.group_id]
        assert [p["metadata"]["group_id"] for p in _intents(second_stripe, b)] == [b.practice.group_id]

        # Neither practice's people reach the other's invoice, payment or keys.
        assert http.get(f"/v1/portal/payments/{started_b['payment_id']}", headers=a.headers).status_code == 404
        assert http.post(f"/v1/portal/invoices/{invoice_b}/payments", headers=a.headers, json={}).status_code == 404
        assert http.get(f"/v1/invoices/{invoice_a}", headers=b.practice.biller).status_code == 404
        settings_a = http.get("/v1/settings/stripe", headers=a.practice.admin).json()
        assert settings_a["publishable_key"] == a.keys.publishable_key
        assert settings_a["secret_key_last4"] == a.keys.secret_key[-4:]
        assert a.practice.group_id in settings_a["webhook_url"]

        # Each receives and applies only its own events; a run reconciles only its own Stripe.
        for paying in (a, b):
            poll_until(
                lambda p=paying: (
                    (h := http.get("/v1/settings/stripe/health", headers=p.practice.biller).json())["events"][
                        "received"
                    ]
                    >= 1
                    and h["events"]["unapplied"] == 0
                ),
                message="each practice's own webhook",
            )
        job_a, job_b = reconcile(http, a.practice), reconcile(http, b.practice)
        assert job_a["status"] == job_b["status"] == "succeeded"
        assert job_a["unmatched"] == [] and job_b["unmatched"] == [] and job_a["fixed"] == job_b["fixed"] == []
        events_a = http.get("/v1/settings/stripe/health", headers=a.practice.biller).json()["events"]
        events_b = http.get("/v1/settings/stripe/health", headers=b.practice.biller).json()["events"]
        assert events_a["received"] == events_b["received"] == 1
    finally:
        localstripe.register_webhook("practice-a", receiver.url + "/muted", "whsec_muted", ["none.none"])


def test_on_one_shared_stripe_a_run_leaves_the_other_practice_alone(http, localstripe, worker):
    a = make_paying_client(http, localstripe.url, name="Alex A")
    b = make_paying_client(http, localstripe.url, name="Blair B")
    _pay(http, a, 3_000)
    _pay(http, b, 4_000)
    job_a = reconcile(http, a.practice)
    assert job_a["status"] == "succeeded" and job_a["fixed"] == [] and job_a["unmatched"] == []
