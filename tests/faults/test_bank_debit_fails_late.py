"""An ACH debit that fails days after the client paid, with the worker killed meanwhile: the invoice
is open again with the reason, nothing is lost; while it was processing no second payment and no
mark-paid could slip in. Events come through the practice's own webhook endpoint, which clinicpay
created on connect."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import poll_until
from tests.factories import card_payments_of, connect_stripe_with_two_keys, make_invoice, make_paying_client
from tests.faults.record import record_scenario
from tests.stripe.browser import BANK_ACCOUNT, fail_bank_debit, pay

pytestmark = pytest.mark.slow


def _connect_with_two_keys(api: httpx.Client, paying, api_base: str) -> None:
    """Two keys (clinicpay creates the webhook endpoint), and ACH debits on."""
    connect_stripe_with_two_keys(api, paying.practice, paying.keys, api_base)
    r = api.patch("/v1/settings", headers=paying.practice.admin, json={"ach_debit_enabled": True})
    assert r.status_code == 200, r.text


def test_an_ach_debit_failing_days_later_opens_the_invoice_again(stack, api, localstripe):
    started_at = time.perf_counter()
    paying = make_paying_client(api, localstripe.url)
    _connect_with_two_keys(api, paying, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 18_000)
    started = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert pay(api, paying.headers, started, bank_account=BANK_ACCOUNT).json()["status"] == "processing"
    [payment] = card_payments_of(invoice_id)

    # Processing: a second payment is refused; so is voiding.
    second = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert second.status_code == 409 and second.json()["error"]["code"] == "payment_in_flight"
    assert api.post(f"/v1/invoices/{invoice_id}/void", headers=paying.practice.biller).status_code == 409

    # The worker dies; days later the bank returns the debit; the event waits, stored, for a new worker.
    stack.worker.kill()
    fail_bank_debit(localstripe.url, payment.stripe_payment_intent_id, "account_closed")
    stack.worker.start()
    poll_until(
        lambda: api.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["processing_cents"] == 0,
        timeout=90,
        message="the returned ACH debit applied by the restarted worker",
    )
    invoice = api.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    [bank] = invoice["payments"]
    lost = int(invoice["status"] != "open") + int(bank["failure_code"] != "account_closed")
    record_scenario(
        "ach_debit_fails_days_later",
        load={"ach_debits": 1},
        faults=["the bank returns the debit days later", "the worker SIGKILLed before the event arrives"],
        lost={"invoices_not_open_again_with_the_reason": lost},
        notes="the invoice is open again with the bank's reason; no second payment or void while it was processing",
        title="An ACH debit that fails days later",
        duration_s=time.perf_counter() - started_at,
    )
    assert invoice["status"] == "open" and invoice["balance_cents"] == 18_000 and invoice["paid_cents"] == 0
    assert bank["status"] == "failed" and "closed" in bank["failure_message"]
    again = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert again.status_code == 201, again.text  # the client can pay again


def test_mark_paid_is_refused_while_an_ach_debit_is_processing(stack, api, localstripe):
    paying = make_paying_client(api, localstripe.url)
    _connect_with_two_keys(api, paying, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 7_000)
    started = api.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert pay(api, paying.headers, started, bank_account=BANK_ACCOUNT).json()["status"] == "processing"
    r = api.post(
        "/v1/invoices/mark-paid",
        headers=paying.practice.biller,
        json={"invoice_ids": [invoice_id], "received_date": "2026-04-02", "method": "check"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "payment_in_flight", r.text
