"""A client pays an invoice by card in the portal, against localstripe over real HTTP.

The browser's part (Stripe.js) is done over HTTP exactly as localstripe's stand-in sends it.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import stripe

from tests.conftest import poll_until
from tests.factories import give_portal_access, make_client
from tests.stripe.browser import THREE_D_SECURE, confirm_card_payment, confirm_card_setup
from tests.stripe.builders import card_payments_of, make_invoice, set_partial_payments


def _start(http, paying, invoice_id, **body):
    return http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json=body)


def _stripe(localstripe, paying) -> stripe.StripeClient:
    return stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)


def _summary(http, paying):
    r = http.get("/v1/portal/summary", headers=paying.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_client_pays_an_invoice_with_the_4242_card(http, localstripe, paying, webhooks_to, worker):
    webhooks_to(paying)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 12_000)
    assert _summary(http, paying)["unpaid_invoice_count"] == 1

    r = _start(http, paying, invoice_id)
    assert r.status_code == 201, r.text
    started = r.json()
    assert started["amount_cents"] == 12_000 and started["currency"] == "USD" and started["status"] == "pending"
    assert started["publishable_key"] == paying.keys.publishable_key
    assert started["stripe_js_url"].startswith(localstripe.url)
    assert paying.keys.secret_key not in r.text

    assert confirm_card_setup(started, payment_method="pm_card_visa")["status"] == "succeeded"
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert r.json()["payment_intent_client_secret"] is None

    summary = _summary(http, paying)
    assert summary["unpaid_invoice_count"] == 0 and summary["balance_due_cents"] == 0
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "paid" and invoice["balance_cents"] == 0
    [card] = [p for p in invoice["payments"] if p["method"] == "card"]
    assert card["status"] == "succeeded" and card["amount_cents"] == 12_000
    assert http.get(f"/v1/portal/payments/{started['payment_id']}", headers=paying.headers).json()["status"] == \
        "succeeded"

    # What Stripe holds: our ids and the invoice number, nothing clinical; a customer with name and email only.
    client = _stripe(localstripe, paying)
    [pi] = [p.to_dict() for p in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()]
    assert pi["metadata"] == {"group_id": paying.practice.group_id, "invoice_id": invoice_id,
                                 "payment_id": started["payment_id"], "invoice_number": invoice["number"]}
    assert pi["currency"] == "usd" and pi["amount"] == 12_000 and not pi.get("description")
    customer = client.v1.customers.retrieve(pi["customer"]).to_dict()
    assert customer["name"] == paying.name and customer["email"] == paying.email
    assert not customer.get("description") and not (customer.get("metadata") or {})

    # The webhook of the same success arrives too, and changes nothing more.
    health = poll_until(lambda: (h := http.get("/v1/settings/stripe/health", headers=paying.practice.biller).json())
                        ["events"]["received"] >= 1 and h["events"]["unapplied"] == 0 and h,
                        message="the payment_intent.succeeded webhook stored and processed")
    assert health["connected"] is True
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["paid_cents"] == 12_000 and invoice["overpaid_cents"] == 0


def test_a_declined_card_fails_clearly_and_the_client_can_start_again(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 8_000)
    started = _start(http, paying, invoice_id).json()
    confirm_card_setup(started, payment_method="pm_card_chargeCustomerFail")
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed"
    assert "declined" in r.json()["failure_message"].lower()

    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "open" and invoice["balance_cents"] == 8_000
    assert _summary(http, paying)["unpaid_invoice_count"] == 1

    # A failed payment is final: confirming again re-reads it, and a new attempt is a new payment.
    again = http.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)
    assert again.status_code == 200 and again.json()["status"] == "failed"
    r = _start(http, paying, invoice_id)
    assert r.status_code == 201, r.text
    assert r.json()["payment_id"] != started["payment_id"]
    confirm_card_setup(r.json(), payment_method="pm_card_visa")
    paid = http.post(f"/v1/portal/payments/{r.json()['payment_id']}/confirm", headers=paying.headers)
    assert paid.json()["status"] == "succeeded"
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "paid"


def test_a_3d_secure_card_asks_for_authentication(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 9_900)
    started = _start(http, paying, invoice_id).json()
    confirm_card_setup(started, card=THREE_D_SECURE)
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "requires_action"
    secret = r.json()["payment_intent_client_secret"]
    assert secret and secret.startswith("pi_")

    # While the bank asks, the payment is in flight: no second payment, and the dialog can resume.
    r = _start(http, paying, invoice_id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "payment_in_flight"
    state = http.get(f"/v1/portal/payments/{started['payment_id']}", headers=paying.headers).json()
    assert state["status"] == "requires_action" and state["payment_intent_client_secret"] == secret

    # The browser's word changes nothing: only Stripe's does (by webhook or reconciliation).
    confirm_card_payment(started["stripe_js_url"], started["publishable_key"], secret)
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "open"


def test_ten_concurrent_clicks_make_one_pending_payment(http, localstripe, paying, api_url):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 4_000)

    def click(_):
        with httpx.Client(base_url=api_url, timeout=30) as c:
            return c.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(click, range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert len({a.json()["payment_id"] for a in answers}) == 1
    assert len({a.json()["setup_intent_client_secret"] for a in answers}) == 1
    assert [p.status for p in card_payments_of(invoice_id)] == ["pending"]

    # A closed dialog never locks the client out: the same payment comes back, and it still works.
    r = _start(http, paying, invoice_id)
    assert r.status_code == 200 and r.json()["payment_id"] == answers[0].json()["payment_id"]
    confirm_card_setup(r.json(), payment_method="pm_card_visa")
    assert http.post(f"/v1/portal/payments/{r.json()['payment_id']}/confirm",
                     headers=paying.headers).json()["status"] == "succeeded"


def test_double_confirm_charges_once(http, localstripe, paying, api_url):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 7_500)
    started = _start(http, paying, invoice_id).json()
    confirm_card_setup(started, payment_method="pm_card_visa")

    def confirm(_):
        with httpx.Client(base_url=api_url, timeout=30) as c:
            return c.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(confirm, range(4)))
    answers.append(confirm(None))
    assert all(a.status_code == 200 and a.json()["status"] == "succeeded" for a in answers), [a.text for a in answers]

    client = _stripe(localstripe, paying)
    intents = list(client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter())
    assert len(intents) == 1
    charges = list(client.v1.charges.list(params={"limit": 100}).auto_paging_iter())
    assert len(charges) == 1 and charges[0].amount == 7_500
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["paid_cents"] == 7_500 and invoice["overpaid_cents"] == 0


def test_amount_rules(http, localstripe, paying):
    group_id = paying.practice.group_id
    invoice_id = make_invoice(group_id, paying.client_id, 10_000)

    r = _start(http, paying, invoice_id, amount_cents=4_000)
    assert r.status_code == 422 and r.json()["error"]["code"] == "partial_payments_not_allowed"
    for bad in (10.5, "100", 0, -5):
        r = _start(http, paying, invoice_id, amount_cents=bad)
        assert r.status_code == 422 and r.json()["error"]["param"] == "amount_cents", (bad, r.text)

    set_partial_payments(group_id, True, minimum_cents=2_500)
    r = _start(http, paying, invoice_id, amount_cents=2_000)
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_below_minimum"
    r = _start(http, paying, invoice_id, amount_cents=10_001)
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_exceeds_balance"

    r = _start(http, paying, invoice_id, amount_cents=4_000)
    assert r.status_code == 201 and r.json()["amount_cents"] == 4_000
    confirm_card_setup(r.json(), payment_method="pm_card_visa")
    assert http.post(f"/v1/portal/payments/{r.json()['payment_id']}/confirm",
                     headers=paying.headers).json()["status"] == "succeeded"
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "partially_paid" and invoice["balance_cents"] == 6_000

    r = _start(http, paying, invoice_id)  # the rest, by default
    assert r.status_code == 201 and r.json()["amount_cents"] == 6_000
    confirm_card_setup(r.json(), payment_method="pm_card_visa")
    http.post(f"/v1/portal/payments/{r.json()['payment_id']}/confirm", headers=paying.headers)
    r = _start(http, paying, invoice_id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_owed"


def test_another_clients_invoice_and_payment_are_not_found(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    other = make_client(http, paying.practice, name="Sam Other")
    other_headers = {"Authorization": f"Bearer {give_portal_access(http, paying.practice, other['id'])}"}

    assert http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=other_headers, json={}).status_code == 404
    for path in (f"/v1/portal/payments/{started['payment_id']}",):
        assert http.get(path, headers=other_headers).status_code == 404
    for path in (f"/v1/portal/payments/{started['payment_id']}/confirm",
                 f"/v1/portal/payments/{started['payment_id']}/cancel"):
        assert http.post(path, headers=other_headers).status_code == 404
    assert http.post(f"/v1/portal/invoices/{uuid.uuid4()}/payments", headers=paying.headers, json={}).status_code == 404
    assert http.post("/v1/portal/invoices/not-an-id/payments", headers=paying.headers, json={}).status_code == 404
    # Staff do not pay through the portal.
    assert http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.practice.biller,
                     json={}).status_code == 403


def test_confirm_before_the_card_is_entered_is_refused(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_not_confirmed"
    assert [p.stripe_payment_intent_id for p in card_payments_of(invoice_id)] == [None]


def test_an_abandoned_3d_secure_payment_can_be_canceled(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_000)
    started = _start(http, paying, invoice_id).json()
    confirm_card_setup(started, card=THREE_D_SECURE)
    assert http.post(f"/v1/portal/payments/{started['payment_id']}/confirm",
                     headers=paying.headers).json()["status"] == "requires_action"
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    r = _start(http, paying, invoice_id)
    assert r.status_code == 201 and r.json()["payment_id"] != started["payment_id"]


def test_a_payment_abandoned_before_the_card_was_entered_can_be_canceled(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_000)
    started = _start(http, paying, invoice_id).json()
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    seti = started["setup_intent_client_secret"].split("_secret_")[0]
    assert _stripe(localstripe, paying).v1.setup_intents.retrieve(seti).status == "canceled"
    again = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "payment_not_cancelable"
