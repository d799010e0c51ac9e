"""Stripe unreachable, failing (500) or rate limiting (429), through a fault-injecting hop in front
of localstripe (tests/stripe/flaky_proxy.py). A paying client is told to try again and is never
charged twice; event processing and reconciliation retry with backoff, show the error meanwhile,
and succeed once Stripe answers again."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
import stripe

from tests.conftest import poll_until
from tests.factories import (
    card_payment_intent,
    card_payments_of,
    invoice_state,
    make_invoice,
    make_invoice_with_card_payment,
    make_paying_client,
    make_practice,
    payment_state,
)
from tests.faults.ledger import inbox
from tests.faults.record import record_scenario
from tests.stripe.browser import confirm, confirmation_token, start_payment
from tests.stripe_events import card_declined, deliver, event, payment_intent

CREATE = r"^/v1/payment_intents$"
CONFIRM = r"^/v1/payment_intents/[^/]+/confirm$"
BUSY = {"code": "stripe_unavailable", "message": "Payment service is busy, please try again", "param": None}

# (what a practice would call it, method, path, answer — None cuts the connection —, after Stripe acted?)
PAYMENT_FAULTS = [
    ("unreachable when the customer is made", "POST", r"^/v1/customers$", None, False),
    ("429 when the payment is created", "POST", CREATE, 429, False),
    ("500 after the payment was created (answer lost)", "POST", CREATE, 500, True),
    ("500 on confirm, before charging", "POST", CONFIRM, 500, False),
    ("unreachable after charging (answer lost)", "POST", CONFIRM, None, True),
]


def _at_stripe(localstripe, secret_key: str) -> tuple[dict[str, int], dict[str, int]]:
    """Per invoice of ours, as Stripe itself (localstripe, not through the hop) holds them: how many
    charges, and how many PaymentIntents were created."""
    client = stripe.StripeClient(secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    invoice_of = {
        pi.id: (pi.to_dict().get("metadata") or {}).get("invoice_id")
        for pi in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    }
    charges: dict[str, int] = {}
    for charge in client.v1.charges.list(params={"limit": 100}).auto_paging_iter():
        pi = charge.payment_intent if isinstance(charge.payment_intent, str) else charge.payment_intent.id
        charges[invoice_of.get(pi)] = charges.get(invoice_of.get(pi), 0) + 1
    charges.pop(None, None)  # another practice's, on the shared stand-in
    return charges, dict(Counter(i for i in invoice_of.values() if i is not None))


def _pay_through_a_fault(api, paying, flaky, fault) -> tuple[str, list[int]]:
    """The client pays one invoice while Stripe fails once as `fault` says, pressing again on every
    "try again". Returns the invoice id and every status code the client saw."""
    _, method, path, status, after = fault
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 4_000 + len(flaky.failed))
    flaky.fail(method, path, status=status, after_forward=after)
    seen = []
    for _ in range(3):
        r = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
        seen.append(r.status_code)
        if r.status_code != 503:
            break
        assert r.json()["error"] == BUSY
    started = r.json()
    token = confirmation_token(started, payment_method="pm_card_visa")
    for _ in range(3):
        r = api.post(
            f"/v1/portal/payments/{started['payment_id']}/confirm",
            headers=paying.headers,
            json={"confirmation_token": token},
        )
        seen.append(r.status_code)
        if r.status_code != 503:
            break
        assert r.json()["error"] == BUSY
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    return invoice_id, seen


@pytest.mark.slow
def test_stripe_failing_during_payment_events_and_reconciliation(stack, api, localstripe, flaky, clock):
    # --- 1. Paying: each fault once; the client sees "try again" and presses again. ---
    paying = make_paying_client(api, flaky.url)
    paid = [(fault[0], *_pay_through_a_fault(api, paying, flaky, fault)) for fault in PAYMENT_FAULTS]
    charges, _ = _at_stripe(localstripe, paying.keys.secret_key)
    for name, invoice_id, seen in paid:
        assert 503 in seen, f"{name}: the client was never told to try again: {seen}"
        assert invoice_state(uuid.UUID(invoice_id))["status"] == "paid", name
        assert [p.status for p in card_payments_of(invoice_id)] == ["succeeded"], name
        assert charges.get(invoice_id) == 1, f"{name}: charged {charges.get(invoice_id)} times"

    # --- 2. A lost confirm answer, left for reconciliation, which then meets a failing Stripe. ---
    lost_invoice = make_invoice(paying.practice.group_id, paying.client_id, 7_700)
    started = start_payment(api, paying.headers, lost_invoice)
    token = confirmation_token(started, payment_method="pm_card_visa")
    flaky.fail("POST", CONFIRM, status=None, after_forward=True)
    assert confirm(api, paying.headers, started["payment_id"], token).status_code == 503
    flaky.fail("GET", r".*", status=503, times=10_000)
    r = api.post("/v1/reconciliations", headers=paying.practice.biller)
    assert r.status_code == 202, r.text
    job_url = f"/v1/reconciliations/{r.json()['id']}"
    retrying = poll_until(
        lambda: (j := api.get(job_url, headers=paying.practice.biller).json())["attempts"] >= 2 and j["errors"] and j,
        timeout=60,
        message="the reconciliation to retry",
    )
    flaky.heal()
    job = poll_until(
        lambda: (
            (j := api.get(job_url, headers=paying.practice.biller).json())["status"] in ("succeeded", "failed") and j
        ),
        timeout=90,
        message="the reconciliation to finish",
    )

    # --- 3. An event that needs Stripe's word (a decline snapshot after a payment moved on). ---
    event_result = _event_needing_stripe(stack, localstripe, flaky)

    charges, intents = _at_stripe(localstripe, paying.keys.secret_key)
    # The stand-in ignores idempotency keys, so a create whose answer was lost leaves an orphan
    # PaymentIntent (real Stripe would hand the same one back); it is never confirmed, so never charged.
    orphans = sum(n - 1 for n in intents.values() if n > 1)
    lost = {
        "charged_twice": sum(max(n - 1, 0) for n in charges.values()),
        "payments_not_settled": sum(1 for _, inv, _ in paid if invoice_state(uuid.UUID(inv))["status"] != "paid")
        + int(invoice_state(uuid.UUID(lost_invoice))["status"] != "paid"),
        "reconciliations_failed": int(job["status"] != "succeeded"),
        "events_not_applied": int(event_result["row"]["outcome"] != "applied"),
        "errors_not_shown": int(not retrying["errors"]) + int(not event_result["failing"]["last_error"]),
    }
    record_scenario(
        "stripe_faults",
        title="Stripe unreachable, 500 or 429 (fault-injecting proxy)",
        load={"card_payments": len(paid) + 1, "reconciliations": 1, "events_needing_stripe": 1},
        faults=[f"payment: {name}" for name, _, _ in paid]
        + [
            "reconciliation: every Stripe read answered 503 until healed",
            "event processing: Stripe cut, then 500, then 429 until healed",
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"{sum(intents.values())} PaymentIntents created for {len(paid) + 1} payments ({orphans} orphaned by "
        f"a lost create answer, never confirmed), {sum(charges.values())} charges; reconciliation retried {job['attempts'] - 1} time(s) showing '{retrying['errors'][0]['message']}'; "
        f"the event was applied on attempt {event_result['row']['attempts']} after showing "
        f"'{event_result['failing']['last_error']}'",
    )

    assert lost == dict.fromkeys(lost, 0), lost
    assert charges.get(lost_invoice) == 1
    assert retrying["status"] == "running"
    assert [(e["code"], e.get("retrying")) for e in retrying["errors"]] == [("stripe_unavailable", True)]
    assert job["status"] == "succeeded" and job["errors"] == [], job
    assert [(f["from"], f["to"]) for f in job["fixed"]] == [("pending", "succeeded")]
    assert job["attempts"] >= 2


def _event_needing_stripe(stack, localstripe, flaky) -> dict:
    """A stale decline snapshot arrives for a payment Stripe has taken: the worker must ask Stripe,
    which fails (cut, then 500, then 429) until healed. The row shows the error meanwhile."""
    secret_key = f"sk_test_faults{uuid.uuid4().hex[:8]}"
    practice = make_practice(with_webhook_secret=True, stripe_secret_key=secret_key, stripe_api_base=flaky.url)
    client = stripe.StripeClient(secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    pi = card_payment_intent(client, 5_500, confirm=True)
    card = make_invoice_with_card_payment(practice, 5_500, status="processing", payment_intent_id=pi.id)
    invoice_id, payment_id = card.invoice_id, card.payment_id
    flaky.fail("GET", r"^/v1/payment_intents/", status=None, times=1)
    flaky.fail("GET", r"^/v1/payment_intents/", status=500, times=1)
    flaky.fail("GET", r"^/v1/payment_intents/", status=429, times=10_000)
    stale = event(
        "payment_intent.payment_failed",
        payment_intent(pi_id=pi.id, amount=5_500, status="requires_payment_method", last_payment_error=card_declined()),
    )
    with stack.http() as http:
        assert deliver(http, stack.webhook_url(practice.group_id), stale, practice.webhook_secret).status_code == 200
    failing = poll_until(
        lambda: (rows := inbox(practice.group_id)) and rows[0]["attempts"] >= 3 and rows[0]["last_error"] and rows[0],
        timeout=60,
        message="the event to fail and retry",
    )
    assert failing["processed_at"] is None and "StripeUnavailable" in failing["last_error"]
    assert payment_state(payment_id)["status"] == "processing"  # nothing applied on a guess
    flaky.heal()
    row = poll_until(
        lambda: (rows := inbox(practice.group_id)) and rows[0]["processed_at"] and rows[0],
        timeout=90,
        message="the event to be applied once Stripe answers",
    )
    assert payment_state(payment_id)["status"] == "succeeded"
    assert invoice_state(invoice_id)["status"] == "paid"
    assert row["last_error"] is None and row["outcome"] == "applied"
    return {"failing": failing, "row": row}
