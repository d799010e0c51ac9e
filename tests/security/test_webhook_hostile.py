"""Hostile deliveries to the webhook receiver, one after another, each timed: refused quickly, nothing stored.

tests/webhooks/test_receiver_rejections.py checks each refusal's answer in detail; this one
sends the five an attacker would try in a row at one live receiver, prints how long each
refusal took, checks the receiver still takes a genuine event afterwards, and records the
figures for docs/RELIABILITY.md.
"""

from __future__ import annotations

import time

import httpx

from tests.factories import make_practice, stored_events
from tests.faults.record import record_scenario
from tests.stripe_events import deliver, encode, event, payment_intent, signature_header


def _event() -> dict:
    return event("payment_intent.succeeded", payment_intent(amount=5_000, status="succeeded"))


def test_hostile_deliveries_are_refused_quickly_and_leave_nothing(receiver):
    practice, other = make_practice(with_webhook_secret=True), make_practice(with_webhook_secret=True)
    url = receiver.webhook_url(str(practice.group_id))
    huge = _event()
    huge["data"]["object"]["metadata"] = {"padding": "x" * (10 * 1024 * 1024)}
    huge_body = encode(huge)
    depth = 100_000
    deep_body = '{"id":"evt_deep","type":"payment_intent.succeeded","data":' + "[" * depth + "]" * depth + "}"

    def signed(body: str, secret: str) -> dict:
        return {
            "content": body,
            "headers": {"Stripe-Signature": signature_header(body, secret), "Content-Type": "application/json"},
        }

    attempts = {
        "forged signature": lambda c: deliver(c, url, _event(), "whsec_forged0000000000000000"),
        "replayed (signed 10 minutes ago)": lambda c: deliver(
            c, url, _event(), practice.webhook_secret, timestamp=int(time.time()) - 600
        ),
        "signed with another practice's secret": lambda c: deliver(c, url, _event(), other.webhook_secret),
        "10 MB body": lambda c: c.post(url, **signed(huge_body, practice.webhook_secret)),
        f"JSON nested {depth:,} deep": lambda c: c.post(url, **signed(deep_body, practice.webhook_secret)),
    }
    timings: dict[str, float] = {}
    answers: dict[str, int] = {}
    with httpx.Client(timeout=60) as client:
        for what, send in attempts.items():
            started = time.perf_counter()
            r = send(client)
            timings[what] = time.perf_counter() - started
            answers[what] = r.status_code
            print(f"\n{what}: {r.status_code} {r.json()['error']['code']} in {timings[what] * 1000:.0f} ms")
        stored_after_attack = len(stored_events())
        genuine = _event()
        accepted = deliver(client, url, genuine, practice.webhook_secret)

    refused = {what: code for what, code in answers.items() if code in (400, 413)}
    record_scenario(
        "webhook_hostile_deliveries",
        load={"deliveries": len(attempts)},
        faults=list(attempts),
        lost={"hostile_deliveries_accepted": len(attempts) - len(refused), "events_stored": stored_after_attack},
        notes="; ".join(f"{what} → {answers[what]} in {timings[what] * 1000:.0f} ms" for what in attempts),
        title="Hostile webhook deliveries",
        duration_s=sum(timings.values()),
    )
    assert refused == answers, answers
    assert answers["10 MB body"] == 413
    assert stored_after_attack == 0
    assert accepted.status_code == 200, accepted.text
    assert [e["stripe_event_id"] for e in stored_events()] == [genuine["id"]]
