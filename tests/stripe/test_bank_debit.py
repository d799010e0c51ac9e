"""ACH Direct Debit: a client pays from a US bank account; the payment is `processing` for days, then
paid — or it fails and the invoice is open again with the reason, for the client and for staff.
Stripe's word arrives by webhook (possibly twice, possibly late) or by reconciliation."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until
from tests.factories import card_payments_of, make_invoice, reconcile
from tests.security.review import record_finding
from tests.stripe.browser import BANK_ACCOUNT, fail_bank_debit, pay, settle_bank_debit
from tests.stripe_events import deliver, event


@pytest.fixture
def ach_client(http, paying):
    r = http.patch("/v1/settings", headers=paying.practice.admin, json={"ach_debit_enabled": True})
    assert r.status_code == 200, r.text
    return paying


def _invoice(http, paying, invoice_id):
    return http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()


def _portal_invoice(http, paying, invoice_id):
    return http.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()


def _pay_by_bank(http, paying, total):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert "us_bank_account" in started["payment_method_types"]
    r = pay(http, paying.headers, started, bank_account=BANK_ACCOUNT)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "processing" and r.json()["payment_method_type"] == "us_bank_account"
    [payment] = card_payments_of(invoice_id)
    return invoice_id, started, payment.stripe_payment_intent_id


def _events_of(group_id: str, event_type: str) -> list[dict]:
    with session_scope() as session:
        rows = session.scalars(
            select(StripeEvent).where(StripeEvent.group_id == uuid.UUID(group_id), StripeEvent.type == event_type)
        )
        return [dict(r.payload) for r in rows]


def test_a_bank_payment_is_pending_for_days_then_paid(http, localstripe, ach_client, webhooks_to, worker):
    paying = ach_client
    webhooks_to(paying)
    invoice_id, started, pi = _pay_by_bank(http, paying, 15_000)

    # Pending, not paid: the balance is still owed, and it says the money is on its way.
    staff = _invoice(http, paying, invoice_id)
    assert staff["status"] == "open" and staff["paid_cents"] == 0 and staff["processing_cents"] == 15_000
    [bank] = staff["payments"]
    assert bank["status"] == "processing" and bank["payment_method_type"] == "us_bank_account"
    assert _portal_invoice(http, paying, invoice_id)["processing_cents"] == 15_000

    # Meanwhile: no second payment, the debit cannot be cancelled, the invoice cannot be voided.
    again = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "payment_in_flight"
    assert (
        again.json()["error"]["payment_status"] == "processing" and "bank payment" in again.json()["error"]["message"]
    )
    cancel = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert cancel.status_code == 409 and cancel.json()["error"]["code"] == "payment_not_cancelable"
    void = http.post(f"/v1/invoices/{invoice_id}/void", headers=paying.practice.biller)
    assert void.status_code == 409 and void.json()["error"]["code"] == "payment_in_flight"
    record_finding(
        "second_payment_refused_while_a_bank_debit_is_processing",
        "11. Stripe API version",
        "POST /v1/portal/invoices/{id}/payments while an ACH debit is processing",
        f"{again.status_code} payment_in_flight (payment {again.json()['error']['payment_id']})",
    )

    # Days later the bank pays: the webhook turns it paid.
    settle_bank_debit(localstripe.url, pi)
    poll_until(lambda: _invoice(http, paying, invoice_id)["status"] == "paid", message="the ACH debit settled")
    staff = _invoice(http, paying, invoice_id)
    assert staff["paid_cents"] == 15_000 and staff["processing_cents"] == 0 and staff["balance_cents"] == 0


def test_a_bank_payment_that_fails_days_later_opens_the_invoice_again_with_the_reason(
    http, localstripe, ach_client, webhooks_to, worker, receiver
):
    paying = ach_client
    webhooks_to(paying)
    invoice_id, started, pi = _pay_by_bank(http, paying, 9_000)
    poll_until(lambda: _events_of(paying.practice.group_id, "payment_intent.processing"), message="processing event")

    fail_bank_debit(localstripe.url, pi, "insufficient_funds")
    poll_until(lambda: _invoice(http, paying, invoice_id)["processing_cents"] == 0, message="the ACH failure applied")
    staff = _invoice(http, paying, invoice_id)
    assert staff["status"] == "open" and staff["balance_cents"] == 9_000 and staff["paid_cents"] == 0
    [bank] = staff["payments"]
    assert bank["status"] == "failed" and bank["failure_code"] == "insufficient_funds"
    assert "insufficient funds" in bank["failure_message"]
    portal = _portal_invoice(http, paying, invoice_id)
    [seen] = portal["payments"]
    assert seen["status"] == "failed" and "insufficient funds" in seen["failure_message"]
    state = http.get(f"/v1/portal/payments/{started['payment_id']}", headers=paying.headers).json()
    assert state["status"] == "failed" and state["failure_message"].startswith("Your bank payment did not go through")

    # The processing event again (Stripe retries), and a late copy of it under a new id: neither moves it back.
    [processing] = _events_of(paying.practice.group_id, "payment_intent.processing")
    url = receiver.webhook_url(paying.practice.group_id)
    with httpx.Client(timeout=10) as c:
        assert deliver(c, url, processing, paying.keys.webhook_secret).status_code == 200
        late = event("payment_intent.processing", processing["data"]["object"], created=processing["created"])
        assert deliver(c, url, late, paying.keys.webhook_secret).status_code == 200
    poll_until(
        lambda: (
            http.get("/v1/settings/stripe/health", headers=paying.practice.biller).json()["events"]["unapplied"] == 0
        ),
        message="the replayed events processed",
    )
    assert _invoice(http, paying, invoice_id)["payments"][0]["status"] == "failed"
    assert _invoice(http, paying, invoice_id)["processing_cents"] == 0

    # The client pays again, by card this time.
    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert r.status_code == 201, r.text
    assert pay(http, paying.headers, r.json()).json()["status"] == "succeeded"
    assert _invoice(http, paying, invoice_id)["status"] == "paid"


def test_a_bank_payment_settled_while_webhooks_were_lost_is_found_by_reconciliation(
    http, localstripe, ach_client, worker
):
    paying = ach_client  # no webhook registered: only reconciliation can bring Stripe's word
    invoice_id, _started, pi = _pay_by_bank(http, paying, 4_200)
    settle_bank_debit(localstripe.url, pi)
    assert _invoice(http, paying, invoice_id)["status"] == "open"
    job = reconcile(http, paying.practice)
    assert job["status"] == "succeeded", job
    assert _invoice(http, paying, invoice_id)["status"] == "paid"
