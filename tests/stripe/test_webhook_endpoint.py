"""clinicpay makes its own webhook endpoint at Stripe when an admin connects with two keys, keeps it
right when they connect again, replaces or deletes it with the keys, and survives what Stripe refuses
(an endpoint URL or a domain that is not public, a restricted key without the permission)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import stripe
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.payments.stripe_events import HANDLERS
from shared.security.secrets import decrypt_secret
from shared.stripe_sync.models import StripeEvent
from tests.conftest import LocalStripe, poll_until
from tests.factories import give_portal_access, make_client_via_api, make_invoice, make_practice_via_api, new_keys
from tests.security.review import record_finding
from tests.stripe.browser import THREE_D_SECURE, authenticate, pay


@pytest.fixture
def public_receiver(receiver, monkeypatch) -> Iterator[str]:
    """CLINICPAY_PUBLIC_WEBHOOK_BASE_URL names the test's receiver, so Stripe's deliveries reach it."""
    from shared.config import clear_settings_cache

    monkeypatch.setenv("CLINICPAY_PUBLIC_WEBHOOK_BASE_URL", receiver.url)
    clear_settings_cache()
    yield receiver.url
    monkeypatch.undo()
    clear_settings_cache()


@pytest.fixture
def stripe_refuses_private_urls(localstripe) -> Iterator[None]:
    """The stand-in refuses what real Stripe cannot reach from the internet."""
    httpx.post(f"{localstripe.url}/_standin/config", json={"public_urls_only": True}, timeout=10).raise_for_status()
    yield
    httpx.post(f"{localstripe.url}/_standin/config", json={"public_urls_only": False}, timeout=10).raise_for_status()


def _connect(http, practice, api_base, keys=None, **extra):
    keys = keys or new_keys()
    body = {"secret_key": keys.secret_key, "publishable_key": keys.publishable_key, "api_base": api_base, **extra}
    return http.put("/v1/settings/stripe", headers=practice.admin, json=body), keys


def _stripe(api_base: str, secret_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(secret_key, base_addresses={"api": api_base}, max_network_retries=0)


def _group(group_id: str) -> dict:
    with session_scope() as session:
        g = session.get(Group, uuid.UUID(group_id))
        return {
            "endpoint_id": g.stripe_webhook_endpoint_id,
            "secret": decrypt_secret(g.stripe_webhook_secret_encrypted) if g.stripe_webhook_secret_encrypted else None,
            "encrypted": bytes(g.stripe_webhook_secret_encrypted or b""),
            "domain_id": g.stripe_payment_method_domain_id,
        }


def test_two_keys_connect_and_a_payment_turns_the_invoice_paid_through_our_own_webhook(
    http, localstripe, public_receiver, worker
):
    practice = make_practice_via_api(http)
    r, keys = _connect(http, practice, localstripe.url)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["connected"] is True and answer["webhook_mode"] == "endpoint" and answer["webhook_secret_set"] is True
    assert answer["webhook_problem"] is None and answer["payment_method_domain_problem"] is None
    assert answer["api_version"] == stripe.api_version
    assert answer["payment_method_domain"] == "127.0.0.1"
    webhook_url = f"{public_receiver}/v1/stripe/webhooks/{practice.group_id}"
    assert answer["webhook_url"] == webhook_url

    # At Stripe: our receiver's URL, the pinned version, exactly the event types we handle.
    stored = _group(practice.group_id)
    endpoint = _stripe(localstripe.url, keys.secret_key).v1.webhook_endpoints.retrieve(stored["endpoint_id"])
    assert endpoint.url == webhook_url and endpoint.api_version == stripe.api_version
    assert sorted(endpoint.enabled_events) == sorted(HANDLERS) and endpoint.status == "enabled"
    assert answer["webhook_endpoint_id"] == endpoint.id
    # Its signing secret, answered only at creation, is kept encrypted and never shown.
    assert stored["secret"].startswith("whsec_") and stored["secret"].encode() not in stored["encrypted"]
    assert stored["secret"] not in r.text and "whsec_" not in r.text
    assert stored["domain_id"] is not None

    # A 3-D Secure payment completed in the browser: only Stripe's webhook (no confirm call) can mark it paid.
    client = make_client_via_api(http, practice, name="Robin Client")
    headers = {"Authorization": f"Bearer {give_portal_access(http, practice, client['id'])}"}
    invoice_id = make_invoice(practice.group_id, client["id"], 6_400)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=headers, json={}).json()
    secret = pay(http, headers, started, card=THREE_D_SECURE).json()["payment_intent_client_secret"]
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    poll_until(
        lambda: http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["status"] == "paid",
        message="the invoice paid by the payment_intent.succeeded webhook",
    )
    with session_scope() as session:
        event = session.scalar(
            select(StripeEvent).where(
                StripeEvent.group_id == uuid.UUID(practice.group_id), StripeEvent.type == "payment_intent.succeeded"
            )
        )
        assert event is not None and event.source == "webhook"
        assert event.payload["api_version"] == stripe.api_version  # stamped with the endpoint's version


def test_connecting_twice_keeps_one_endpoint_and_a_forgotten_one_is_made_again(http, localstripe, public_receiver):
    practice = make_practice_via_api(http)
    keys = new_keys()
    first, _ = _connect(http, practice, localstripe.url, keys)
    again, _ = _connect(http, practice, localstripe.url, keys)
    assert first.status_code == again.status_code == 200
    assert again.json()["webhook_endpoint_id"] == first.json()["webhook_endpoint_id"]
    client = _stripe(localstripe.url, keys.secret_key)
    ours = [e for e in client.v1.webhook_endpoints.list().data if practice.group_id in e.url]
    assert [e.id for e in ours] == [first.json()["webhook_endpoint_id"]]
    secret_before = _group(practice.group_id)["secret"]

    # Someone deletes it in the Dashboard (or the stand-in restarted): connecting again makes a new one.
    client.v1.webhook_endpoints.delete(first.json()["webhook_endpoint_id"])
    third, _ = _connect(http, practice, localstripe.url, keys)
    assert third.json()["webhook_mode"] == "endpoint"
    assert third.json()["webhook_endpoint_id"] not in (None, first.json()["webhook_endpoint_id"])
    assert _group(practice.group_id)["secret"] != secret_before


def test_replacing_the_keys_with_another_accounts_moves_the_endpoint_and_disconnect_deletes_it(
    http, localstripe, public_receiver
):
    practice = make_practice_via_api(http)
    first, old_keys = _connect(http, practice, localstripe.url)
    old_endpoint = first.json()["webhook_endpoint_id"]
    other = LocalStripe("localstripe-second-account").start()
    try:
        replaced, new_keys_ = _connect(http, practice, other.url)
        assert replaced.status_code == 200 and replaced.json()["webhook_mode"] == "endpoint"
        new_endpoint = replaced.json()["webhook_endpoint_id"]
        assert (
            _stripe(other.url, new_keys_.secret_key)
            .v1.webhook_endpoints.retrieve(new_endpoint)
            .url.endswith(practice.group_id)
        )
        with pytest.raises(stripe.InvalidRequestError):  # the old account's endpoint is gone
            _stripe(localstripe.url, old_keys.secret_key).v1.webhook_endpoints.retrieve(old_endpoint)

        gone = http.delete("/v1/settings/stripe", headers=practice.admin)
        assert gone.status_code == 200 and gone.json()["connected"] is False and gone.json()["webhook_mode"] == "none"
        with pytest.raises(stripe.InvalidRequestError):
            _stripe(other.url, new_keys_.secret_key).v1.webhook_endpoints.retrieve(new_endpoint)
        assert _group(practice.group_id) == {"endpoint_id": None, "secret": None, "encrypted": b"", "domain_id": None}
    finally:
        other.stop()


def test_a_receiver_stripe_cannot_reach_saves_the_keys_and_says_what_to_do(
    http, localstripe, stripe_refuses_private_urls
):
    practice = make_practice_via_api(http)
    r, keys = _connect(http, practice, localstripe.url)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["connected"] is True and answer["webhook_mode"] == "none" and answer["webhook_secret_set"] is False
    problem = answer["webhook_problem"]
    assert problem["code"] == "webhook_url_not_public"
    assert "CLINICPAY_PUBLIC_WEBHOOK_BASE_URL" in problem["message"] and "reconciliation" in problem["message"]
    assert "whsec_" in problem["message"]  # the fallback is offered
    assert answer["payment_method_domain_problem"]["code"] == "payment_method_domain_not_public"
    record_finding(
        "connect_survives_an_endpoint_url_stripe_cannot_reach",
        "11. Stripe API version",
        "PUT /v1/settings/stripe {secret_key, publishable_key} while Stripe refuses the receiver's URL",
        f"{r.status_code}, keys saved, webhook_problem {problem['code']}",
    )

    # Card payments work meanwhile (reconciliation keeps them in step); the whsec_ fallback turns webhooks on.
    client = make_client_via_api(http, practice)
    headers = {"Authorization": f"Bearer {give_portal_access(http, practice, client['id'])}"}
    invoice_id = make_invoice(practice.group_id, client["id"], 2_500)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=headers, json={}).json()
    assert pay(http, headers, started).json()["status"] == "succeeded"
    pasted, _ = _connect(http, practice, localstripe.url, keys, webhook_secret="whsec_madeinthedashboard")
    assert pasted.json()["webhook_mode"] == "pasted" and pasted.json()["webhook_problem"] is None
    assert _group(practice.group_id)["secret"] == "whsec_madeinthedashboard"


def test_a_restricted_key_without_webhook_permission_names_it_and_takes_the_fallback(http, localstripe):
    practice = make_practice_via_api(http)
    key = "rk_test_" + uuid.uuid4().hex
    httpx.post(
        f"{localstripe.url}/_standin/restricted_keys",
        json={"key": key, "deny": ["webhook_endpoints", "payment_method_domains"]},
        timeout=10,
    ).raise_for_status()
    keys = new_keys()
    keys.secret_key = key
    r, _ = _connect(http, practice, localstripe.url, keys)
    assert r.status_code == 200, r.text
    assert r.json()["webhook_mode"] == "none"
    assert r.json()["webhook_problem"]["code"] == "webhook_permission_missing"
    assert "Webhook Endpoints" in r.json()["webhook_problem"]["message"]
    assert r.json()["payment_method_domain_problem"]["code"] == "payment_method_domain_permission_missing"
    assert key not in r.text

    r, _ = _connect(http, practice, localstripe.url, keys, webhook_secret="whsec_fromthedashboard1")
    assert r.json()["webhook_mode"] == "pasted" and r.json()["webhook_problem"] is None
    assert r.json()["secret_key_last4"] == key[-4:]
