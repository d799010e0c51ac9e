"""Finding 8: a PaymentIntent whose amount or currency differs from the payment it names is not
applied — recorded as a mismatch, a staff alert raised once — and never settles an invoice "for
1 cent". The event that brought it is processed, not retried as a failing event.

Stripe's side comes as signed webhook events (localstripe cannot send these shapes), and through
reconciliation from a real PaymentIntent at localstripe that names one of our payments."""

from __future__ import annotations

import uuid

import stripe

from shared.db.engine import session_scope
from shared.jobs.replay import replay_event
from shared.ledger.payments import Payment
from shared.payments.card import apply_payment_intent
from tests.conftest import poll_until
from tests.factories import (
    make_card_payment,
    make_invoice,
    make_paying_client,
    stored_events,
    wait_until_processed,
)
from tests.security.review import record_finding
from tests.stripe.browser import pay
from tests.stripe_events import deliver, event, payment_intent

FINDING = "8. PaymentIntent mismatch"


def _card(paying, total: int, *, status: str = "processing", payment_intent_id: str | None = None):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    payment_id, pi_id = make_card_payment(
        uuid.UUID(paying.practice.group_id),
        uuid.UUID(invoice_id),
        total,
        status=status,
        payment_intent_id=payment_intent_id,
    )
    return invoice_id, payment_id, pi_id


def _send(stripe_http, pipeline, paying, evt) -> dict:
    r = deliver(stripe_http, pipeline.webhook_url(paying.practice.group_id), evt, paying.keys.webhook_secret)
    assert r.status_code == 200, r.text
    return wait_until_processed(paying.practice.group_id, evt, message="the event to be processed")


def _alerts(http, paying, **params) -> list[dict]:
    r = http.get("/v1/alerts", headers=paying.practice.biller, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _payment(http, paying, invoice_id: str, payment_id) -> dict:
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    return next(p for p in invoice["payments"] if p["id"] == str(payment_id))


def _metadata(paying, invoice_id, payment_id) -> dict[str, str]:
    return {"group_id": paying.practice.group_id, "invoice_id": str(invoice_id), "payment_id": str(payment_id)}


def test_a_one_cent_success_does_not_settle_the_invoice(http, localstripe, pipeline, stripe_http):
    paying = make_paying_client(http, localstripe.url)
    invoice_id, payment_id, pi_id = _card(paying, 30_000)
    evt = event(
        "payment_intent.succeeded",
        payment_intent(pi_id=pi_id, amount=1, status="succeeded", metadata=_metadata(paying, invoice_id, payment_id)),
    )
    row = _send(stripe_http, pipeline, paying, evt)

    # Processed once, as a mismatch: not failing, not waiting for a retry.
    assert (row["outcome"], row["attempts"], row["last_error"]) == ("mismatched", 1, None)
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert (invoice["status"], invoice["paid_cents"], invoice["balance_cents"]) == ("open", 0, 30_000)
    payment = _payment(http, paying, invoice_id, payment_id)
    assert payment["status"] == "mismatched" and payment["amount_cents"] == 30_000
    assert payment["stripe_mismatch"] == {
        "payment_intent": pi_id,
        "stripe_status": "succeeded",
        "amount_cents": 1,
        "currency": "USD",
    }
    [alert] = _alerts(http, paying, status="open")
    assert alert["kind"] == "payment_intent_mismatch"
    assert (alert["invoice_id"], alert["payment_id"]) == (invoice_id, str(payment_id))
    assert "$0.01" in alert["message"] and "$300.00" in alert["message"] and "refund" in alert["message"]
    assert alert["data"]["amount_cents"] == 1 and alert["data"]["charged"] is True
    assert [a["id"] for a in invoice["alerts"]] == [alert["id"]]
    # Nothing clinical in what staff read: the invoice line's description stays on the invoice.
    assert "session" not in alert["message"].lower()

    # Stripe sends it again (a new delivery of the same state), and an operator replays the first:
    # the payment is settled as mismatched, so nothing moves and no second alert opens.
    again = event("payment_intent.succeeded", evt["data"]["object"])
    assert _send(stripe_http, pipeline, paying, again)["outcome"] == "ignored"
    assert replay_event(evt["id"]) == 0
    assert len(_alerts(http, paying)) == 1
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["paid_cents"] == 0
    record_finding(
        "payment_intent_one_cent",
        FINDING,
        "payment_intent.succeeded (signed) amount=1 for a 30000-cent card payment, sent twice and replayed",
        f"event {row['outcome']} (1 attempt); invoice {invoice['status']} paid 0; payment mismatched; 1 alert",
    )


def test_another_currency_is_not_money_received(http, localstripe, pipeline, stripe_http):
    paying = make_paying_client(http, localstripe.url)
    invoice_id, payment_id, pi_id = _card(paying, 12_000)
    evt = event(
        "payment_intent.succeeded",
        payment_intent(pi_id=pi_id, amount=12_000, currency="eur", status="succeeded"),
    )
    assert _send(stripe_http, pipeline, paying, evt)["outcome"] == "mismatched"
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert (invoice["status"], invoice["paid_cents"]) == ("open", 0)
    assert _payment(http, paying, invoice_id, payment_id)["stripe_mismatch"]["currency"] == "EUR"
    [alert] = _alerts(http, paying, kind="payment_intent_mismatch")
    assert "€120.00" in alert["message"] and "$120.00" in alert["message"]
    record_finding(
        "payment_intent_other_currency",
        FINDING,
        "payment_intent.succeeded (signed) 12000 EUR for a 12000 USD card payment",
        f"event mismatched; invoice {invoice['status']} paid {invoice['paid_cents']}; 1 alert",
    )


def test_a_stranger_intent_naming_a_pending_payment_leaves_it_payable(http, localstripe, pipeline, stripe_http):
    """A PaymentIntent made outside clinicpay whose metadata names a payment the client only opened:
    the payment is not linked to it, not moved, and the client can still pay it."""
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 8_000)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    evt = event(
        "payment_intent.succeeded",
        payment_intent(amount=1, status="succeeded", metadata=_metadata(paying, invoice_id, started["payment_id"])),
    )
    assert _send(stripe_http, pipeline, paying, evt)["outcome"] == "mismatched"
    payment = _payment(http, paying, invoice_id, started["payment_id"])
    assert payment["status"] == "pending" and payment["stripe_mismatch"]["amount_cents"] == 1
    with session_scope() as session:
        assert session.get(Payment, uuid.UUID(started["payment_id"])).stripe_payment_intent_id is None
    [alert] = _alerts(http, paying)
    assert alert["data"]["charged"] is False and "not applied" in alert["message"]
    # The client's own payment still works, for the real amount.
    r = pay(http, paying.headers, started)
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert (invoice["status"], invoice["paid_cents"]) == ("paid", 8_000)
    record_finding(
        "payment_intent_stranger_names_payment",
        FINDING,
        "payment_intent.succeeded (signed) amount=1, unknown PI, metadata naming a pending payment",
        "event mismatched; payment still pending and unlinked; client then paid 8000 normally",
    )


def test_an_amount_changed_while_waiting_for_3d_secure_is_held_then_its_cancel_applies(
    http, localstripe, pipeline, stripe_http
):
    paying = make_paying_client(http, localstripe.url)
    invoice_id, payment_id, pi_id = _card(paying, 5_000, status="pending")
    waiting = event("payment_intent.requires_action", payment_intent(pi_id=pi_id, amount=500, status="requires_action"))
    assert _send(stripe_http, pipeline, paying, waiting)["outcome"] == "mismatched"
    payment = _payment(http, paying, invoice_id, payment_id)
    assert payment["status"] == "pending"  # not applied: the state it reported is not ours to take
    [alert] = _alerts(http, paying)
    assert "cancel it in Stripe" in alert["message"]

    # Canceled at Stripe: a state that charged nothing closes our payment as usual, amount untouched.
    canceled = event("payment_intent.canceled", payment_intent(pi_id=pi_id, amount=500, status="canceled"))
    assert _send(stripe_http, pipeline, paying, canceled)["outcome"] == "applied"
    payment = _payment(http, paying, invoice_id, payment_id)
    assert (payment["status"], payment["amount_cents"]) == ("canceled", 5_000)
    assert len(_alerts(http, paying)) == 1


def test_a_retried_apply_alerts_once(http, localstripe):
    """A worker that crashed after applying, and applies the same snapshot again (two transactions)."""
    paying = make_paying_client(http, localstripe.url)
    invoice_id, payment_id, pi_id = _card(paying, 7_000, status="requires_action")
    snapshot = payment_intent(pi_id=pi_id, amount=7_000, currency="gbp", status="processing")
    for _ in range(3):
        with session_scope() as session:
            result = apply_payment_intent(session, uuid.UUID(paying.practice.group_id), snapshot, source="webhook")
        assert (result.outcome, result.status) == ("mismatched", "requires_action")
    [alert] = _alerts(http, paying)
    assert alert["payment_id"] == str(payment_id)
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["paid_cents"] == 0


def test_reconciliation_finds_a_one_cent_intent_and_does_not_apply_it(http, localstripe, pipeline):
    """At Stripe someone charged 1 cent on a PaymentIntent whose metadata names a client's open payment;
    no webhook came. Reconciliation reads it, records the mismatch and alerts; the invoice stays owed."""
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 20_000)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    client = stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "metadata": _metadata(paying, invoice_id, started["payment_id"]),
        }
    )
    assert client.v1.payment_intents.confirm(pi.id).status == "succeeded"

    def run() -> dict:
        r = http.post("/v1/reconciliations", headers=paying.practice.biller)
        assert r.status_code == 202, r.text
        return poll_until(
            lambda: (
                (j := http.get(f"/v1/reconciliations/{r.json()['id']}", headers=paying.practice.biller).json())[
                    "status"
                ]
                in ("succeeded", "failed")
                and j
            ),
            message="the reconciliation to finish",
        )

    job = run()
    assert job["status"] == "succeeded" and job["fixed"] == [], job
    [error] = [e for e in job["errors"] if e["code"] == "payment_intent_mismatch"]
    assert (error["payment_intent"], error["payment_id"]) == (pi.id, started["payment_id"])
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert (invoice["status"], invoice["paid_cents"], invoice["balance_cents"]) == ("open", 0, 20_000)
    [alert] = _alerts(http, paying, status="open")
    assert alert["kind"] == "payment_intent_mismatch" and alert["data"]["payment_intent"] == pi.id
    # The next run reads it again and opens no second alert.
    run()
    assert len(_alerts(http, paying)) == 1
    assert all(e["processed_at"] for e in stored_events(uuid.UUID(paying.practice.group_id)))
    record_finding(
        "payment_intent_one_cent_reconciled",
        FINDING,
        "PaymentIntent for 1 cent at Stripe naming a 20000-cent payment; POST /v1/reconciliations twice",
        f"run {job['status']}, errors payment_intent_mismatch, fixed none; invoice open paid 0; 1 alert",
    )
