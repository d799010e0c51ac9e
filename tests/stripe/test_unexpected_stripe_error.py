"""A Stripe error clinicpay did not expect (a code it does not know, a key that lost a permission):
the client's Pay answers `502 stripe_error` with Stripe's request id, nothing is charged, the
payment stays resumable, and the same press works once Stripe answers again. The error comes from
Stripe's side of a real HTTP hop (tests/stripe/flaky_proxy.py), in Stripe's own error shape."""

from __future__ import annotations

import logging

import stripe

from tests import capture
from tests.factories import card_payments_of, make_invoice, make_paying_client
from tests.stripe.browser import confirmation_token

CREATE = r"^/v1/payment_intents$"
CONFIRM = r"^/v1/payment_intents/[^/]+/confirm$"
# What Stripe could answer once it has a refusal this SDK and clinicpay have never heard of.
UNKNOWN_REFUSAL = {
    "type": "invalid_request_error",
    "code": "a_code_clinicpay_does_not_know",
    "message": "This request cannot be completed for a reason introduced after your SDK.",
}


def _stripe_side(localstripe, paying):
    client = stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)
    intents = list(client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter())
    charges = list(client.v1.charges.list(params={"limit": 100}).auto_paging_iter())
    return intents, charges


def _start(http, paying, total):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    r = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert r.status_code == 201, r.text
    return invoice_id, r.json()["payment_id"], confirmation_token(r.json(), payment_method="pm_card_visa")


def _logged_during(action):
    before = capture.TEST_PROCESS_LOG.stat().st_size
    result = action()
    for handler in logging.getLogger().handlers:
        handler.flush()
    with capture.TEST_PROCESS_LOG.open("rb") as fh:
        fh.seek(before)
        return result, fh.read().decode("utf-8", "replace")


def _assert_stripe_error(r, request_id):
    assert r.status_code == 502, r.text
    error = r.json()["error"]
    assert error["code"] == "stripe_error"
    assert error["stripe_request_id"] == request_id
    assert "Nothing was charged" in error["message"]


def test_unknown_refusal_of_the_payment_intent_is_502_with_the_request_id_and_pay_works_again(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id, payment_id, token = _start(http, paying, 5_200)

    flaky.fail("POST", CREATE, status=400, error=UNKNOWN_REFUSAL)
    r, logged = _logged_during(
        lambda: http.post(
            f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
        )
    )
    [request_id] = flaky.request_ids
    _assert_stripe_error(r, request_id)
    # Logged once, with Stripe's request id and code; never the key.
    [line] = [line for line in logged.splitlines() if "stripe_error_unexpected" in line]
    assert request_id in line and "a_code_clinicpay_does_not_know" in line
    assert paying.keys.secret_key not in logged

    # Nothing charged, nothing at Stripe, and the payment is still the client's to finish.
    assert _stripe_side(localstripe, paying) == ([], [])
    [payment] = card_payments_of(invoice_id)
    assert payment.status == "pending"
    assert payment.stripe_payment_intent_id is None and payment.stripe_confirmation_token_id is None
    invoice = http.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()
    assert invoice["balance_cents"] == 5_200

    # The same press again, once Stripe answers: paid, once.
    again = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    assert again.status_code == 200 and again.json()["status"] == "succeeded", again.text
    intents, charges = _stripe_side(localstripe, paying)
    assert len(intents) == 1 and [c.amount for c in charges] == [5_200]
    assert http.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()["balance_cents"] == 0


def test_key_losing_a_permission_at_confirm_is_502_and_the_payment_resumes(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id, payment_id, token = _start(http, paying, 3_100)

    # A 403 at confirm (the SDK's PermissionError): no caller expects one there.
    flaky.fail(
        "POST",
        CONFIRM,
        status=403,
        error={"type": "invalid_request_error", "message": "The provided key does not have the required permissions."},
    )
    r = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    _assert_stripe_error(r, flaky.request_ids[-1])
    [payment] = card_payments_of(invoice_id)
    assert payment.status == "pending" and payment.stripe_payment_intent_id  # kept: never a second one
    intents, charges = _stripe_side(localstripe, paying)
    assert [i.status for i in intents] != ["succeeded"] and charges == []

    # The client presses Pay again (the dialog resumes the same payment).
    resumed = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={})
    assert resumed.status_code == 200 and resumed.json()["payment_id"] == payment_id, resumed.text
    again = http.post(
        f"/v1/portal/payments/{payment_id}/confirm", headers=paying.headers, json={"confirmation_token": token}
    )
    assert again.status_code == 200 and again.json()["status"] == "succeeded", again.text
    intents, charges = _stripe_side(localstripe, paying)
    assert len(intents) == 1 and [c.amount for c in charges] == [3_100]


def test_the_routes_that_call_stripe_document_the_502(http):
    paths = http.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/v1/portal/payments/{payment_id}/confirm", "post"),
        ("/v1/portal/payments/{payment_id}/cancel", "post"),
        ("/v1/settings/stripe", "put"),
        ("/v1/invoices/mark-paid", "post"),
        ("/v1/invoices/{invoice_id}/payments", "post"),
    ]:
        answer = paths[path][method]["responses"]["502"]
        assert "stripe_request_id" in answer["description"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
