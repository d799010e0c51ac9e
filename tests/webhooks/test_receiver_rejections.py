"""What the receiver refuses, and that a refused delivery leaves nothing behind."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.factories import make_practice, stored_events
from tests.stripe_events import deliver, encode, event, payment_intent, signature_header


def _signed_post(client, url, body: bytes | str, secret: str, **headers):
    return client.post(
        url,
        content=body,
        headers={"Stripe-Signature": signature_header(body, secret), "Content-Type": "application/json", **headers},
    )


def _an_event() -> dict:
    return event("payment_intent.succeeded", payment_intent(amount=5_000, status="succeeded"))


@pytest.fixture
def practice():
    return make_practice(with_webhook_secret=True)


def test_a_forged_signature_is_400_and_nothing_is_stored(receiver, stripe_http, practice):
    r = deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), _an_event(), "whsec_forged")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_signature"
    assert stored_events() == []


def test_a_body_changed_after_signing_is_400(receiver, stripe_http, practice):
    body = encode(_an_event())
    header = signature_header(body, practice.webhook_secret)
    r = stripe_http.post(
        receiver.webhook_url(str(practice.group_id)),
        content=body.replace("5000", "1"),
        headers={"Stripe-Signature": header},
    )
    assert r.status_code == 400
    assert stored_events() == []


def test_a_missing_or_garbled_signature_header_is_400(receiver, stripe_http, practice):
    url = receiver.webhook_url(str(practice.group_id))
    body = encode(_an_event())
    assert stripe_http.post(url, content=body).status_code == 400
    assert stripe_http.post(url, content=body, headers={"Stripe-Signature": "garbage"}).status_code == 400
    assert stripe_http.post(url, content=body, headers={"Stripe-Signature": "t=abc,v1=00"}).status_code == 400
    assert stored_events() == []


def test_a_signature_older_than_five_minutes_is_400(receiver, stripe_http, practice):
    stale = int(time.time()) - 301
    r = deliver(
        stripe_http, receiver.webhook_url(str(practice.group_id)), _an_event(), practice.webhook_secret, timestamp=stale
    )
    assert r.status_code == 400
    assert stored_events() == []


def test_an_event_signed_with_another_practices_secret_is_400(receiver, stripe_http, practice):
    other = make_practice(with_webhook_secret=True)
    r = deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), _an_event(), other.webhook_secret)
    assert r.status_code == 400
    assert stored_events() == []


def test_a_10_mb_body_is_413_and_nothing_is_stored(receiver, stripe_http, practice):
    evt = _an_event()
    evt["data"]["object"]["metadata"] = {"padding": "x" * (10 * 1024 * 1024)}
    body = encode(evt)
    r = _signed_post(stripe_http, receiver.webhook_url(str(practice.group_id)), body, practice.webhook_secret)
    assert r.status_code == 413
    assert stored_events() == []


def test_an_oversized_chunked_body_without_length_is_413(receiver, stripe_http, practice):
    chunk = b"x" * 65536

    def body():  # no Content-Length: the receiver has to count as it reads
        yield b'{"id":"evt_big","type":"payment_intent.succeeded","pad":"'
        for _ in range(64):
            yield chunk
        yield b'"}'

    r = stripe_http.post(
        receiver.webhook_url(str(practice.group_id)),
        content=body(),
        headers={"Stripe-Signature": f"t={int(time.time())},v1=00"},
    )
    assert r.status_code == 413
    assert stored_events() == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"type": "payment_intent.succeeded"}',
        b'{"id": "evt_1"}',
        b'{"id": 42, "type": "payment_intent.succeeded"}',
        b"\xff\xfe not utf-8",
    ],
    ids=["not-json", "array", "string", "no-id", "no-type", "numeric-id", "not-utf8"],
)
def test_a_signed_body_that_is_not_a_stripe_event_is_400(receiver, stripe_http, practice, body):
    url = receiver.webhook_url(str(practice.group_id))
    header = signature_header(body, practice.webhook_secret) if _is_utf8(body) else f"t={int(time.time())},v1=00"
    r = stripe_http.post(url, content=body, headers={"Stripe-Signature": header})
    assert r.status_code == 400, r.text
    assert stored_events() == []


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode()
        return True
    except UnicodeDecodeError:
        return False


def test_deeply_nested_json_is_400_not_a_crash(receiver, stripe_http, practice):
    depth = 100_000
    body = '{"id":"evt_deep","type":"payment_intent.succeeded","data":' + "[" * depth + "]" * depth + "}"
    # No JSON content type: the receiver ignores it anyway, and tests/capture.py's request hook
    # would hit Python's own recursion limit parsing this body on the client side.
    r = stripe_http.post(
        receiver.webhook_url(str(practice.group_id)),
        content=body,
        headers={"Stripe-Signature": signature_header(body, practice.webhook_secret)},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_payload"
    assert stored_events() == []
    assert stripe_http.get(f"{receiver.url}/healthz").status_code == 200


def test_json_postgres_cannot_store_is_400(receiver, stripe_http, practice):
    evt = _an_event()
    evt["data"]["object"]["metadata"] = {"nul": "\u0000"}
    r = deliver(stripe_http, receiver.webhook_url(str(practice.group_id)), evt, practice.webhook_secret)
    assert r.status_code == 400
    assert stored_events() == []


def test_unknown_group_or_a_group_without_a_webhook_secret_is_404(receiver, stripe_http, practice):
    evt = _an_event()
    assert (
        deliver(stripe_http, receiver.webhook_url(str(uuid.uuid4())), evt, practice.webhook_secret).status_code == 404
    )
    assert deliver(stripe_http, receiver.webhook_url("not-a-uuid"), evt, practice.webhook_secret).status_code == 404
    unconnected = make_practice()
    assert (
        deliver(stripe_http, receiver.webhook_url(str(unconnected.group_id)), evt, practice.webhook_secret).status_code
        == 404
    )
    assert stored_events() == []


def test_health_and_readiness(receiver, stripe_http):
    assert stripe_http.get(f"{receiver.url}/healthz").json() == {"status": "ok"}
    r = stripe_http.get(f"{receiver.url}/readyz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok"}


def test_one_bad_delivery_among_concurrent_good_ones_fails_alone(receiver, practice):
    import concurrent.futures

    import httpx

    url = receiver.webhook_url(str(practice.group_id))
    good = [_an_event() for _ in range(20)]
    bad = _an_event()
    bad["data"]["object"]["metadata"] = {"nul": "\u0000"}

    def send(evt):
        with httpx.Client(timeout=30) as client:
            return evt["id"], deliver(client, url, evt, practice.webhook_secret).status_code

    with concurrent.futures.ThreadPoolExecutor(21) as pool:
        codes = dict(pool.map(send, [*good, bad]))
    assert codes.pop(bad["id"]) == 400
    assert set(codes.values()) == {200}
    assert sorted(e["stripe_event_id"] for e in stored_events()) == sorted(e["id"] for e in good)


def test_a_rotated_webhook_secret_is_honoured_at_once(receiver, stripe_http, practice):
    from shared.db.engine import session_scope
    from shared.groups.models import Group
    from shared.security.secrets import encrypt_secret
    from tests.stripe_events import new_webhook_secret

    url = receiver.webhook_url(str(practice.group_id))
    assert deliver(stripe_http, url, _an_event(), practice.webhook_secret).status_code == 200  # now cached
    rotated = new_webhook_secret()
    with session_scope() as session:
        session.get(Group, practice.group_id).stripe_webhook_secret_encrypted = encrypt_secret(rotated)
    assert deliver(stripe_http, url, _an_event(), rotated).status_code == 200
    assert len(stored_events()) == 2
