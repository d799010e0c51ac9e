"""A client pays an invoice in the portal through the Payment Element flow, against the Stripe stand-in
over real HTTP: a ConfirmationToken from the browser, the PaymentIntent created and confirmed here.

The browser's part (Stripe.js) is done over HTTP exactly as the Stripe.js stand-in sends it.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import stripe

from shared.db.engine import session_scope
from shared.groups.models import Group
from tests.conftest import poll_until
from tests.factories import (
    card_payments_of,
    give_portal_access,
    make_client_via_api,
    make_invoice,
    set_partial_payments,
)
from tests.stripe.browser import (
    DECLINED,
    THREE_D_SECURE,
    authenticate,
    confirm,
    confirmation_token,
    pay,
)


def _start(http, paying, invoice_id, **body):
    return http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json=body)


def _stripe(localstripe, paying) -> stripe.StripeClient:
    return stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)


def _summary(http, paying):
    r = http.get("/v1/portal/summary", headers=paying.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _intents(localstripe, paying):
    return [
        p.to_dict()
        for p in _stripe(localstripe, paying).v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    ]


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
    assert started["payment_method_types"] == ["card", "link"]  # no ACH until the practice turns it on
    assert paying.keys.secret_key not in r.text
    assert _intents(localstripe, paying) == []  # nothing exists at Stripe before the client pays

    r = pay(http, paying.headers, started)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded" and r.json()["payment_method_type"] == "card"
    assert r.json()["payment_intent_client_secret"] is None

    summary = _summary(http, paying)
    assert summary["unpaid_invoice_count"] == 0 and summary["balance_due_cents"] == 0
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "paid" and invoice["balance_cents"] == 0 and invoice["processing_cents"] == 0
    [card] = [p for p in invoice["payments"] if p["method"] == "card"]
    assert card["status"] == "succeeded" and card["amount_cents"] == 12_000 and card["payment_method_type"] == "card"

    # What Stripe holds: our ids and the invoice number, nothing clinical; dynamic payment methods narrowed to
    # what the portal offers, never a redirect; a customer with name and email only.
    [pi] = _intents(localstripe, paying)
    assert pi["metadata"] == {
        "group_id": paying.practice.group_id,
        "invoice_id": invoice_id,
        "payment_id": started["payment_id"],
        "invoice_number": invoice["number"],
    }
    assert pi["currency"] == "usd" and pi["amount"] == 12_000 and not pi.get("description")
    assert pi["automatic_payment_methods"] == {"enabled": True, "allow_redirects": "never"}
    assert pi["payment_method_types"] == ["card", "link"]
    customer = _stripe(localstripe, paying).v1.customers.retrieve(pi["customer"]).to_dict()
    assert customer["name"] == paying.name and customer["email"] == paying.email
    assert not customer.get("description") and not (customer.get("metadata") or {})

    # The webhook of the same success arrives too, and changes nothing more.
    poll_until(
        lambda: (
            (h := http.get("/v1/settings/stripe/health", headers=paying.practice.biller).json())["events"]["received"]
            >= 1
            and h["events"]["unapplied"] == 0
        ),
        message="the payment_intent.succeeded webhook stored and processed",
    )
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["paid_cents"] == 12_000 and invoice["overpaid_cents"] == 0


def test_a_declined_card_fails_clearly_and_the_client_can_start_again(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 8_000)
    started = _start(http, paying, invoice_id).json()
    r = pay(http, paying.headers, started, card=DECLINED)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed" and r.json()["failure_code"] == "card_declined"
    assert "declined" in r.json()["failure_message"].lower()

    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "open" and invoice["balance_cents"] == 8_000
    assert _summary(http, paying)["unpaid_invoice_count"] == 1

    # A failed payment is final: confirming again re-reads it, and a new attempt is a new payment.
    again = confirm(http, paying.headers, started["payment_id"], confirmation_token(started))
    assert again.status_code == 200 and again.json()["status"] == "failed"
    r = _start(http, paying, invoice_id)
    assert r.status_code == 201, r.text
    assert r.json()["payment_id"] != started["payment_id"]
    assert pay(http, paying.headers, r.json()).json()["status"] == "succeeded"
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "paid"
    assert len(_intents(localstripe, paying)) == 2  # one PaymentIntent per payment


def test_3d_secure_is_completed_with_handle_next_action(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 9_900)
    started = _start(http, paying, invoice_id).json()
    r = pay(http, paying.headers, started, card=THREE_D_SECURE)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "requires_action"
    secret = r.json()["payment_intent_client_secret"]
    assert secret and secret.startswith("pi_")

    # While the bank asks, the payment is in flight: no second payment; a reopened dialog resumes it.
    r = _start(http, paying, invoice_id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "payment_in_flight"
    assert r.json()["error"]["payment_id"] == started["payment_id"]
    state = http.get(f"/v1/portal/payments/{started['payment_id']}", headers=paying.headers).json()
    assert state["status"] == "requires_action" and state["payment_intent_client_secret"] == secret
    assert state["publishable_key"] == paying.keys.publishable_key and state["stripe_js_url"]

    # The browser's word alone changes nothing; the confirm that follows re-reads Stripe.
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "open"
    after = confirm(http, paying.headers, started["payment_id"])
    assert after.status_code == 200 and after.json()["status"] == "succeeded", after.text
    assert http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["status"] == "paid"


def test_3d_secure_refused_fails_the_payment_and_a_new_one_can_start(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_500)
    started = _start(http, paying, invoice_id).json()
    secret = pay(http, paying.headers, started, card=THREE_D_SECURE).json()["payment_intent_client_secret"]
    authenticate(started["stripe_js_url"], started["publishable_key"], secret, success=False)
    after = confirm(http, paying.headers, started["payment_id"])
    assert after.json()["status"] == "failed", after.text
    assert after.json()["failure_code"] == "payment_intent_authentication_failure"
    r = _start(http, paying, invoice_id)
    assert r.status_code == 201 and r.json()["payment_id"] != started["payment_id"]


def test_ten_concurrent_clicks_make_one_pending_payment(http, localstripe, paying, api_url):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 4_000)

    def click(_):
        with httpx.Client(base_url=api_url, timeout=30) as c:
            return c.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(click, range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert len({a.json()["payment_id"] for a in answers}) == 1
    assert [p.status for p in card_payments_of(invoice_id)] == ["pending"]

    # A closed dialog never locks the client out: the same payment comes back, and it still works.
    r = _start(http, paying, invoice_id)
    assert r.status_code == 200 and r.json()["payment_id"] == answers[0].json()["payment_id"]
    assert pay(http, paying.headers, r.json()).json()["status"] == "succeeded"


def test_ten_pay_presses_with_ten_tokens_charge_once(http, localstripe, paying, api_url):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 7_500)
    started = _start(http, paying, invoice_id).json()
    tokens = [confirmation_token(started) for _ in range(10)]

    def press(token):
        with httpx.Client(base_url=api_url, timeout=30) as c:
            return confirm(c, paying.headers, started["payment_id"], token)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(press, tokens))
    assert all(a.status_code == 200 and a.json()["status"] == "succeeded" for a in answers), [a.text for a in answers]

    client = _stripe(localstripe, paying)
    assert len(_intents(localstripe, paying)) == 1
    charges = list(client.v1.charges.list(params={"limit": 100}).auto_paging_iter())
    assert len(charges) == 1 and charges[0].amount == 7_500
    [payment] = card_payments_of(invoice_id)
    assert payment.stripe_confirmation_token_id in tokens
    used = [t for t in tokens if client.v1.confirmation_tokens.retrieve(t).payment_intent]
    assert used == [payment.stripe_confirmation_token_id]  # the other presses' tokens were never spent
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["paid_cents"] == 7_500 and invoice["overpaid_cents"] == 0


def test_a_confirmation_token_pays_one_payment_only(http, localstripe, paying):
    first_invoice = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    second_invoice = make_invoice(paying.practice.group_id, paying.client_id, 9_000)
    first = _start(http, paying, first_invoice).json()
    second = _start(http, paying, second_invoice).json()
    token = confirmation_token(first)
    assert confirm(http, paying.headers, first["payment_id"], token).json()["status"] == "succeeded"

    # The same token posted for another invoice's payment: refused, nothing charged, the payment still usable.
    r = confirm(http, paying.headers, second["payment_id"], token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "confirmation_token_used", r.text
    assert r.json()["error"]["param"] == "confirmation_token"
    assert [p.status for p in card_payments_of(second_invoice)] == ["pending"]
    assert pay(http, paying.headers, second).json()["status"] == "succeeded"


def test_made_up_malformed_and_expired_tokens_are_refused_and_change_nothing(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    cases = [
        ("ctoken_madeup0000000000", 422, "confirmation_token_invalid"),
        ("pi_123_secret_456", 422, "invalid_confirmation_token"),
        ("ctoken_../../v1/balance", 422, "invalid_confirmation_token"),
    ]
    for token, status, code in cases:
        r = confirm(http, paying.headers, started["payment_id"], token)
        assert r.status_code == status and r.json()["error"]["code"] == code, (token, r.text)
    expired = confirmation_token(started)
    httpx.post(f"{localstripe.url}/_standin/confirmation_tokens/{expired}/expire", timeout=10).raise_for_status()
    r = confirm(http, paying.headers, started["payment_id"], expired)
    assert r.status_code == 422 and r.json()["error"]["code"] == "confirmation_token_expired"
    [payment] = card_payments_of(invoice_id)
    assert payment.status == "pending" and payment.stripe_payment_intent_id is None
    assert _intents(localstripe, paying) == []
    assert pay(http, paying.headers, started).json()["status"] == "succeeded"


def test_a_token_from_another_stripe_account_is_not_known_here(http, localstripe, paying):
    """A second stand-in is a second Stripe account: its tokens do not exist at this practice's."""
    from tests.conftest import LocalStripe

    other = LocalStripe("localstripe-other").start()
    try:
        invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
        started = _start(http, paying, invoice_id).json()
        foreign = confirmation_token({**started, "stripe_js_url": other.js_url})
        r = confirm(http, paying.headers, started["payment_id"], foreign)
        assert r.status_code == 422 and r.json()["error"]["code"] == "confirmation_token_invalid", r.text
    finally:
        other.stop()


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
    assert pay(http, paying.headers, r.json()).json()["status"] == "succeeded"
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()
    assert invoice["status"] == "partially_paid" and invoice["balance_cents"] == 6_000

    r = _start(http, paying, invoice_id)  # the rest, by default
    assert r.status_code == 201 and r.json()["amount_cents"] == 6_000
    pay(http, paying.headers, r.json())
    r = _start(http, paying, invoice_id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_owed"


def test_another_clients_invoice_and_payment_are_not_found(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    other = make_client_via_api(http, paying.practice, name="Sam Other")
    other_headers = {"Authorization": f"Bearer {give_portal_access(http, paying.practice, other['id'])}"}

    assert http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=other_headers, json={}).status_code == 404
    assert http.get(f"/v1/portal/payments/{started['payment_id']}", headers=other_headers).status_code == 404
    # Another client posting a good token for this client's payment: 404, and the token is not spent.
    token = confirmation_token(started)
    assert confirm(http, other_headers, started["payment_id"], token).status_code == 404
    assert http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=other_headers).status_code == 404
    assert http.post(f"/v1/portal/invoices/{uuid.uuid4()}/payments", headers=paying.headers, json={}).status_code == 404
    assert http.post("/v1/portal/invoices/not-an-id/payments", headers=paying.headers, json={}).status_code == 404
    # Staff do not pay through the portal.
    assert (
        http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.practice.biller, json={}).status_code
        == 403
    )
    assert confirm(http, paying.headers, started["payment_id"], token).json()["status"] == "succeeded"


def test_confirm_before_the_details_are_entered_is_refused(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    r = confirm(http, paying.headers, started["payment_id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "payment_details_missing"
    r = http.post(
        f"/v1/portal/payments/{started['payment_id']}/confirm", headers=paying.headers, json={"payment_intent": "pi_x"}
    )
    assert r.status_code == 422  # no field but the token is taken: a PaymentIntent id from the browser never is
    assert [p.stripe_payment_intent_id for p in card_payments_of(invoice_id)] == [None]


def test_an_abandoned_3d_secure_payment_can_be_canceled(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_000)
    started = _start(http, paying, invoice_id).json()
    assert pay(http, paying.headers, started, card=THREE_D_SECURE).json()["status"] == "requires_action"
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    r = _start(http, paying, invoice_id)
    assert r.status_code == 201 and r.json()["payment_id"] != started["payment_id"]


def test_a_payment_abandoned_before_the_details_were_entered_can_be_canceled(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 5_000)
    started = _start(http, paying, invoice_id).json()
    r = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    again = http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "payment_not_cancelable"
    assert _intents(localstripe, paying) == []


def test_bank_debits_are_offered_only_where_the_practice_takes_them(http, localstripe, paying):
    from tests.stripe.browser import BANK_ACCOUNT

    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = _start(http, paying, invoice_id).json()
    r = pay(http, paying.headers, started, bank_account=BANK_ACCOUNT)
    assert r.status_code == 422 and r.json()["error"]["code"] == "payment_method_not_offered", r.text

    r = http.patch("/v1/settings", headers=paying.practice.admin, json={"ach_debit_enabled": True})
    assert r.status_code == 200 and r.json()["ach_debit_enabled"] is True
    assert _start(http, paying, invoice_id).json()["payment_method_types"] == ["card", "link", "us_bank_account"]
    assert (
        http.patch("/v1/settings", headers=paying.practice.biller, json={"ach_debit_enabled": False}).status_code == 403
    )

    # A practice billing in euros: Stripe offers ACH for USD only.
    with session_scope() as session:
        session.get(Group, uuid.UUID(paying.practice.group_id)).currency = "EUR"
    r = http.patch("/v1/settings", headers=paying.practice.admin, json={"ach_debit_enabled": True})
    assert r.status_code == 422 and r.json()["error"]["code"] == "ach_requires_usd"
    assert "us_bank_account" not in _start(http, paying, invoice_id).json()["payment_method_types"]
