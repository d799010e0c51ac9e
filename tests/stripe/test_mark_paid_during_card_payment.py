"""Finding 4: mark-paid while a card payment is in flight charged twice (a 3-D Secure card for the
whole 300, the biller marks it paid by check, 3-D Secure completes: 600 paid on a 300 invoice).

Now a manual payment is refused beside a card payment Stripe may still charge (409
`payment_in_flight`, naming it); one still waiting for the client can be canceled at Stripe first
(`cancel_pending_card_payment: true`), and the manual payment is recorded only once Stripe says it
is canceled; a `processing` one is waited for. Against localstripe over real HTTP."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import stripe

from tests.conftest import poll_until
from tests.factories import (
    card_payments_of,
    make_card_payment,
    make_invoice,
    make_paying_client,
    wait_until_processed,
)
from tests.security.review import record_finding
from tests.stripe.browser import THREE_D_SECURE, authenticate, confirm, confirmation_token, pay, stripe_api_of
from tests.stripe_events import deliver, event, payment_intent

FINDING = "4. Mark-paid during a card payment"
CHECK = {"received_date": "2026-04-02", "method": "check", "reference": "chk-1042"}


def _stripe(localstripe, paying) -> stripe.StripeClient:
    return stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": localstripe.url}, max_network_retries=0)


def _waiting_for_3ds(http, paying, total: int):
    """A client pays the whole balance with a 3-D Secure card: the payment is `requires_action`."""
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    r = pay(http, paying.headers, started, card=THREE_D_SECURE)
    assert r.status_code == 200 and r.json()["status"] == "requires_action", r.text
    return invoice_id, started, r.json()["payment_intent_client_secret"]


def _mark_paid(http, paying, *invoice_ids: str, cancel: bool | None = None) -> httpx.Response:
    body = {"invoice_ids": list(invoice_ids), **CHECK}
    if cancel is not None:
        body["cancel_pending_card_payment"] = cancel
    return http.post("/v1/invoices/mark-paid", headers=paying.practice.biller, json=body)


def _invoice(http, paying, invoice_id: str) -> dict:
    r = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller)
    assert r.status_code == 200, r.text
    return r.json()


def _methods(invoice: dict) -> list[tuple[str, str, int]]:
    return sorted((p["method"], p["status"], p["amount_cents"]) for p in invoice["payments"])


def _charges(localstripe, paying, pi_id: str) -> int:
    charges = _stripe(localstripe, paying).v1.charges.list(params={"limit": 100}).auto_paging_iter()
    return sum(
        1 for c in charges if (c.payment_intent if isinstance(c.payment_intent, str) else c.payment_intent.id) == pi_id
    )


def _pi_of(payment_id: str, invoice_id: str) -> str:
    return next(p.stripe_payment_intent_id for p in card_payments_of(invoice_id) if str(p.id) == payment_id)


def test_the_finding_mark_paid_during_3d_secure_is_refused_and_the_card_pays_once(
    http, localstripe, paying, webhooks_to, worker
):
    webhooks_to(paying)
    invoice_id, started, secret = _waiting_for_3ds(http, paying, 30_000)

    r = _mark_paid(http, paying, invoice_id)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "payment_in_flight" and error["param"] == "invoice_ids"
    assert error["payment_ids"] == [started["payment_id"]] and error["invoice_ids"] == [invoice_id]
    assert error["payments"] == [
        {"payment_id": started["payment_id"], "invoice_id": invoice_id, "status": "requires_action", "cancelable": True}
    ]
    assert "cancel_pending_card_payment" in error["message"]
    # The one-invoice form too, even for part of the balance.
    partial = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 10_000, **CHECK},
    )
    assert partial.status_code == 409 and partial.json()["error"]["code"] == "payment_in_flight", partial.text
    assert partial.json()["error"]["payment_id"] == started["payment_id"]
    assert _methods(_invoice(http, paying, invoice_id)) == [("card", "requires_action", 30_000)]

    # 3-D Secure completes; Stripe's webhook brings the success. Paid once: 300 on a 300 invoice.
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    invoice = poll_until(
        lambda: (i := _invoice(http, paying, invoice_id))["status"] == "paid" and i,
        message="the card's success to be applied",
    )
    assert (invoice["paid_cents"], invoice["overpaid_cents"]) == (30_000, 0)
    assert _methods(invoice) == [("card", "succeeded", 30_000)]
    assert invoice["alerts"] == []
    assert _mark_paid(http, paying, invoice_id).json()["error"]["code"] == "invoice_already_paid"
    record_finding(
        "mark_paid_during_3d_secure",
        FINDING,
        "POST /v1/invoices/mark-paid (check) on a 30000 invoice whose card payment is requires_action, "
        "then 3-D Secure completes",
        f"409 payment_in_flight naming {started['payment_id'][:8]}…; then card paid 30000 once, overpaid 0",
    )


def test_cancel_first_records_the_check_and_the_late_3d_secure_cannot_charge(
    http, localstripe, paying, receiver, worker
):
    invoice_id, started, secret = _waiting_for_3ds(http, paying, 30_000)
    pi_id = _pi_of(started["payment_id"], invoice_id)

    r = _mark_paid(http, paying, invoice_id, cancel=True)
    assert r.status_code == 200, r.text
    [check] = r.json()["data"]
    assert (check["method"], check["status"], check["amount_cents"]) == ("check", "succeeded", 30_000)
    [canceled] = r.json()["canceled_card_payments"]
    assert (canceled["id"], canceled["status"]) == (started["payment_id"], "canceled")
    assert _stripe(localstripe, paying).v1.payment_intents.retrieve(pi_id).status == "canceled"

    # The client finishes 3-D Secure after all: Stripe refuses, nothing is charged.
    late = httpx.post(
        f"{stripe_api_of(started['stripe_js_url'])}/v1/payment_intents/{pi_id}/_authenticate?success=true",
        json={"key": started["publishable_key"], "client_secret": secret},
        timeout=10,
    )
    assert late.status_code == 400, late.text
    assert _charges(localstripe, paying, pi_id) == 0
    # A late requires_action event for it changes nothing either.
    evt = event("payment_intent.requires_action", payment_intent(pi_id=pi_id, amount=30_000, status="requires_action"))
    with httpx.Client(timeout=30) as stripe_http:
        sent = deliver(stripe_http, receiver.webhook_url(paying.practice.group_id), evt, paying.keys.webhook_secret)
    assert sent.status_code == 200, sent.text
    row = wait_until_processed(paying.practice.group_id, evt)
    assert row["outcome"] == "ignored"

    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["paid_cents"], invoice["overpaid_cents"]) == ("paid", 30_000, 0)
    assert _methods(invoice) == [("card", "canceled", 30_000), ("check", "succeeded", 30_000)]
    portal = http.get(f"/v1/portal/payments/{started['payment_id']}", headers=paying.headers).json()
    assert portal["status"] == "canceled" and portal["payment_intent_client_secret"] is None
    answer = confirm(http, paying.headers, started["payment_id"])
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "nothing_owed", answer.text
    # A double click on "Mark paid": refused as already paid, before anything is sent to Stripe again.
    assert _mark_paid(http, paying, invoice_id, cancel=True).json()["error"]["code"] == "invoice_already_paid"
    record_finding(
        "mark_paid_cancel_first",
        FINDING,
        "POST /v1/invoices/mark-paid cancel_pending_card_payment=true beside a requires_action card payment, "
        "then the client completes 3-D Secure",
        f"200, card payment canceled at Stripe, check 30000 recorded; 3-D Secure answered {late.status_code}, "
        "0 charges; paid 30000",
    )


def test_cancel_first_when_stripe_already_took_the_money(http, localstripe, paying, webhooks_to):
    webhooks_to(None)  # Stripe's webhook is late: our record still says requires_action
    invoice_id, started, secret = _waiting_for_3ds(http, paying, 30_000)
    authenticate(started["stripe_js_url"], started["publishable_key"], secret)
    assert [p.status for p in card_payments_of(invoice_id)] == ["requires_action"]

    r = _mark_paid(http, paying, invoice_id, cancel=True)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "card_payment_succeeded"
    assert (error["payment_ids"], error["invoice_ids"]) == ([started["payment_id"]], [invoice_id])
    # What Stripe said is kept although the request was refused: the invoice is paid by the card, once.
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["paid_cents"], invoice["overpaid_cents"]) == ("paid", 30_000, 0)
    assert _methods(invoice) == [("card", "succeeded", 30_000)]
    assert _mark_paid(http, paying, invoice_id, cancel=True).json()["error"]["code"] == "invoice_already_paid"
    record_finding(
        "mark_paid_cancel_first_too_late",
        FINDING,
        "POST /v1/invoices/mark-paid cancel_pending_card_payment=true after 3-D Secure completed at Stripe "
        "(webhook not yet arrived)",
        "409 card_payment_succeeded; the card's success applied, no check recorded; paid 30000 once",
    )


def test_a_processing_card_payment_is_waited_for(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 30_000)
    payment_id, _ = make_card_payment(uuid.UUID(paying.practice.group_id), uuid.UUID(invoice_id), 30_000)
    for cancel in (None, True):
        r = _mark_paid(http, paying, invoice_id, cancel=cancel)
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["code"] == "payment_in_flight" and error["payments"][0]["cancelable"] is False
        assert error["payment_ids"] == [str(payment_id)] and "cannot be canceled" in error["message"]
        one = http.post(
            f"/v1/invoices/{invoice_id}/payments",
            headers=paying.practice.biller,
            json={"amount_cents": 30_000, **CHECK, "cancel_pending_card_payment": bool(cancel)},
        )
        assert one.status_code == 409 and one.json()["error"]["code"] == "payment_in_flight", one.text
    assert _methods(_invoice(http, paying, invoice_id)) == [("card", "processing", 30_000)]
    # Voiding waits for it too.
    void = http.post(f"/v1/invoices/{invoice_id}/void", headers=paying.practice.biller)
    assert void.status_code == 409 and void.json()["error"]["code"] == "payment_in_flight"
    record_finding(
        "mark_paid_during_processing",
        FINDING,
        "POST /v1/invoices/mark-paid (with and without cancel_pending_card_payment) beside a processing card payment",
        "409 payment_in_flight cancelable=false; nothing recorded, nothing canceled",
    )


def test_one_invoice_in_flight_refuses_a_bulk_mark_paid(http, localstripe, paying):
    quiet = [make_invoice(paying.practice.group_id, paying.client_id, 4_000) for _ in range(2)]
    busy, started, _ = _waiting_for_3ds(http, paying, 6_000)
    r = _mark_paid(http, paying, quiet[0], busy, quiet[1])
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert (error["code"], error["invoice_ids"], error["payment_ids"]) == (
        "payment_in_flight",
        [busy],
        [started["payment_id"]],
    )
    assert all(_invoice(http, paying, i)["payments"] == [] for i in quiet)

    r = _mark_paid(http, paying, quiet[0], busy, quiet[1], cancel=True)
    assert r.status_code == 200, r.text
    assert sorted(p["invoice_id"] for p in r.json()["data"]) == sorted([*quiet, busy])
    assert [p["id"] for p in r.json()["canceled_card_payments"]] == [started["payment_id"]]
    assert all(_invoice(http, paying, i)["status"] == "paid" for i in [*quiet, busy])


def test_a_card_payment_the_client_only_opened_does_not_block_the_biller(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 9_000)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    token = confirmation_token(started)  # card entered in the Payment Element, "Pay" not pressed yet

    r = _mark_paid(http, paying, invoice_id)
    assert r.status_code == 200, r.text
    assert [(p["id"], p["status"]) for p in r.json()["canceled_card_payments"]] == [(started["payment_id"], "canceled")]
    answer = confirm(http, paying.headers, started["payment_id"], token)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "nothing_owed", answer.text
    assert list(_stripe(localstripe, paying).v1.payment_intents.list(params={"limit": 10}).auto_paging_iter()) == []
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["paid_cents"], invoice["overpaid_cents"]) == (9_000, 0)
    record_finding(
        "mark_paid_beside_opened_card_payment",
        FINDING,
        "POST /v1/invoices/mark-paid while the client's card payment is pending (card entered, not confirmed), "
        "then the client presses Pay",
        "200, the pending payment closed; confirm 409 nothing_owed; no PaymentIntent created",
    )


def test_a_part_payment_leaves_the_opened_card_payment_for_the_rest(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 9_000)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 4_000, **CHECK},
    )
    assert r.status_code == 201 and r.json()["canceled_card_payments"] == [], r.text
    paid = pay(http, paying.headers, started)
    assert paid.status_code == 200 and paid.json()["amount_cents"] == 5_000, paid.text
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["paid_cents"], invoice["overpaid_cents"]) == ("paid", 9_000, 0)


def test_two_billers_canceling_first_at_once_record_one_check(http, localstripe, paying, api_url):
    invoice_id, started, _ = _waiting_for_3ds(http, paying, 30_000)
    barrier = threading.Barrier(2)

    def press(_: int) -> httpx.Response:
        with httpx.Client(base_url=api_url, timeout=30) as c:
            barrier.wait()
            return _mark_paid(c, paying, invoice_id, cancel=True)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(press, range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["error"]["code"] == "invoice_already_paid"
    done = next(a for a in answers if a.status_code == 200)
    assert [p["id"] for p in done.json()["canceled_card_payments"]] == [started["payment_id"]]
    invoice = _invoice(http, paying, invoice_id)
    assert _methods(invoice) == [("card", "canceled", 30_000), ("check", "succeeded", 30_000)]
    assert invoice["paid_cents"] == 30_000


def test_another_practices_invoice_is_unknown_and_its_card_payment_untouched(http, localstripe, paying):
    theirs = make_paying_client(http, localstripe.url, name="Sam Other")
    their_invoice, their_payment, _ = _waiting_for_3ds(http, theirs, 7_000)
    r = _mark_paid(http, paying, their_invoice, cancel=True)
    assert r.status_code == 404 and r.json()["error"]["code"] == "resource_missing", r.text
    assert theirs.practice.group_id not in r.text
    one = http.post(
        f"/v1/invoices/{their_invoice}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 7_000, **CHECK, "cancel_pending_card_payment": True},
    )
    assert one.status_code == 404, one.text
    pi_id = _pi_of(their_payment["payment_id"], their_invoice)
    assert _stripe(localstripe, theirs).v1.payment_intents.retrieve(pi_id).status == "requires_action"
    assert [p.status for p in card_payments_of(their_invoice)] == ["requires_action"]
    record_finding(
        "mark_paid_cancel_first_other_practice",
        FINDING,
        "POST /v1/invoices/mark-paid cancel_pending_card_payment=true with another practice's invoice id",
        "404 resource_missing; their card payment still requires_action at Stripe and here",
    )


def test_a_payment_the_client_canceled_is_not_confirmed_afterwards(http, localstripe, paying):
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    token = confirmation_token(started)
    assert http.post(f"/v1/portal/payments/{started['payment_id']}/cancel", headers=paying.headers).status_code == 200
    r = confirm(http, paying.headers, started["payment_id"], token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "payment_canceled", r.text
    assert list(_stripe(localstripe, paying).v1.payment_intents.list(params={"limit": 10}).auto_paging_iter()) == []


def test_a_part_payment_refused_for_its_amount_cancels_nothing(http, localstripe, paying):
    invoice_id, started, _ = _waiting_for_3ds(http, paying, 30_000)
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 30_001, **CHECK, "cancel_pending_card_payment": True},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_exceeds_balance", r.text
    pi_id = _pi_of(started["payment_id"], invoice_id)
    assert _stripe(localstripe, paying).v1.payment_intents.retrieve(pi_id).status == "requires_action"
    assert [p.status for p in card_payments_of(invoice_id)] == ["requires_action"]
    unknown = http.post(
        f"/v1/invoices/{uuid.uuid4()}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 100, **CHECK, "cancel_pending_card_payment": True},
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "invoice_id", unknown.text
    # With a fitting amount the part payment goes in once the card payment is canceled.
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 10_000, **CHECK, "cancel_pending_card_payment": True},
    )
    assert r.status_code == 201, r.text
    assert [p["id"] for p in r.json()["canceled_card_payments"]] == [started["payment_id"]]
    assert _invoice(http, paying, invoice_id)["balance_cents"] == 20_000
