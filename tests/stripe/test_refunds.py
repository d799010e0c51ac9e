"""Staff refund a card payment from clinicpay, against the Stripe stand-in over real HTTP: our refund row
first, then Stripe's refund made with an idempotency key from it; the ledger moves when Stripe confirms;
a refund Stripe fails later puts the money back and tells staff. What cannot be refunded is refused
with nothing sent to Stripe."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import stripe
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.jobs.refunds import resend_unsent
from shared.ledger.payments import Dispute, Refund
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until
from tests.factories import PayingClient, card_payments_of, make_invoice, make_paying_client, mark_paid_by_check
from tests.stripe.browser import DECLINED, pay
from tests.stripe.conftest import PI_EVENTS, WEBHOOK_NAME
from tests.stripe_recorder import phi_violations, recorded_calls

REFUND_EVENTS = ["refund.created", "refund.updated", "refund.failed", "charge.refunded"]


@pytest.fixture
def refund_webhooks(localstripe, receiver):
    """The receiver hears this practice's PaymentIntent and refund events (muted again afterwards)."""

    def register(paying: PayingClient) -> None:
        localstripe.register_webhook(
            WEBHOOK_NAME,
            receiver.webhook_url(paying.practice.group_id),
            paying.keys.webhook_secret,
            PI_EVENTS + REFUND_EVENTS,
        )

    yield register
    localstripe.register_webhook(WEBHOOK_NAME, receiver.url + "/muted", "whsec_muted", ["none.none"])


def _stripe(api_base: str, paying: PayingClient) -> stripe.StripeClient:
    return stripe.StripeClient(paying.keys.secret_key, base_addresses={"api": api_base}, max_network_retries=0)


def _stripe_refunds(api_base: str, paying: PayingClient, pi: str) -> list[dict]:
    page = _stripe(api_base, paying).v1.refunds.list(params={"payment_intent": pi, "limit": 100})
    return [r.to_dict() for r in page.data]


def _paid_by_card(http: httpx.Client, paying: PayingClient, total: int) -> tuple[str, str, str]:
    """The client paid an invoice of `total` with 4242. Returns (invoice id, payment id, PaymentIntent id)."""
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total)
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    r = pay(http, paying.headers, started)
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    [payment] = card_payments_of(invoice_id)
    return invoice_id, str(payment.id), payment.stripe_payment_intent_id


def _invoice(http: httpx.Client, paying: PayingClient, invoice_id: str) -> dict:
    r = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller)
    assert r.status_code == 200, r.text
    return r.json()


def _refund(
    http: httpx.Client, paying: PayingClient, payment_id: str, key: str | None = None, **body
) -> httpx.Response:
    headers = dict(paying.practice.biller) | ({"Idempotency-Key": key} if key else {})
    return http.post(f"/v1/payments/{payment_id}/refunds", headers=headers, json=body)


def _our_refunds(payment_id: str) -> list[Refund]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(Refund).where(Refund.payment_id == uuid.UUID(payment_id)).order_by(Refund.created_at)
            )
        )


def _events(group_id: str, event_type: str) -> list[StripeEvent]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(StripeEvent).where(StripeEvent.group_id == uuid.UUID(group_id), StripeEvent.type == event_type)
            )
        )


def _alerts(http: httpx.Client, paying: PayingClient, kind: str) -> list[dict]:
    r = http.get(f"/v1/alerts?kind={kind}", headers=paying.practice.biller)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_a_biller_refunds_part_of_a_card_payment_and_the_client_sees_it(
    http, localstripe, paying, refund_webhooks, worker
):
    refund_webhooks(paying)
    invoice_id, payment_id, pi = _paid_by_card(http, paying, 12_000)
    note = "Client moved away; agreed by phone with Dr Lee"
    since = len(recorded_calls())

    r = _refund(
        http, paying, payment_id, "refund-click-1", amount_cents=5_000, reason="requested_by_customer", note=note
    )
    assert r.status_code == 201, r.text
    refund = r.json()
    assert (refund["status"], refund["amount_cents"], refund["reason"]) == ("succeeded", 5_000, "requested_by_customer")
    assert refund["stripe_refund_id"].startswith("re_") and refund["note"] == note

    # The ledger: paid 7,000 of 12,000; the client owes the rest again and sees the refund.
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["paid_cents"], invoice["balance_cents"]) == ("partially_paid", 7_000, 5_000)
    [card] = invoice["payments"]
    assert card["refunded_cents"] == 5_000 and card["refundable_cents"] == 7_000
    portal = http.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()
    assert portal["payments"][0]["refunded_cents"] == 5_000 and portal["balance_cents"] == 5_000
    assert note not in str(portal)

    # Stripe got the amount, the reason and our ids; never the note.
    [at_stripe] = _stripe_refunds(localstripe.url, paying, pi)
    assert (at_stripe["id"], at_stripe["amount"], at_stripe["reason"]) == (
        refund["stripe_refund_id"],
        5_000,
        "requested_by_customer",
    )
    assert at_stripe["metadata"] == {
        "group_id": paying.practice.group_id,
        "invoice_id": invoice_id,
        "payment_id": payment_id,
        "refund_id": refund["id"],
    }
    refund_calls = [c for c in recorded_calls(since) if (c["method"], c["path"]) == ("POST", "/v1/refunds")]
    assert len(refund_calls) == 1 and refund_calls[0]["idempotency_key"] == f"refund-{refund['id']}"
    assert phi_violations(refund_calls, [note, "moved away", "Dr Lee"]) == []

    # The same click again (a retry with the same key): the same refund, nothing new at Stripe.
    again = _refund(
        http, paying, payment_id, "refund-click-1", amount_cents=5_000, reason="requested_by_customer", note=note
    )
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == refund["id"] and again.json()["status"] == "succeeded"
    assert len(_stripe_refunds(localstripe.url, paying, pi)) == 1

    # Stripe's refund.created arrives after the answer: it is the same refund, one row.
    poll_until(
        lambda: any(e.processed_at for e in _events(paying.practice.group_id, "refund.created")),
        message="refund.created applied",
    )
    rows = _our_refunds(payment_id)
    assert [(r.stripe_refund_id, r.status, r.amount_cents) for r in rows] == [
        (refund["stripe_refund_id"], "succeeded", 5_000)
    ]
    assert _invoice(http, paying, invoice_id)["balance_cents"] == 5_000


def test_the_whole_payment_by_default_then_nothing_is_left(http, localstripe, paying):
    invoice_id, payment_id, pi = _paid_by_card(http, paying, 8_000)
    r = _refund(http, paying, payment_id)
    assert r.status_code == 201, r.text
    assert (r.json()["amount_cents"], r.json()["reason"], r.json()["status"]) == (
        8_000,
        "requested_by_customer",
        "succeeded",
    )
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["balance_cents"], invoice["payments"][0]["refundable_cents"]) == (
        "open",
        8_000,
        0,
    )

    more = _refund(http, paying, payment_id, amount_cents=1)
    assert more.status_code == 422 and more.json()["error"]["code"] == "amount_exceeds_refundable"
    assert more.json()["error"]["refundable_cents"] == 0
    assert len(_stripe_refunds(localstripe.url, paying, pi)) == 1


def test_what_cannot_be_refunded_is_refused_and_nothing_is_sent_to_stripe(http, localstripe, paying):
    invoice_id, payment_id, pi = _paid_by_card(http, paying, 10_000)

    over = _refund(http, paying, payment_id, amount_cents=10_001)
    assert over.status_code == 422, over.text
    assert (
        over.json()["error"]["code"] == "amount_exceeds_refundable"
        and over.json()["error"]["refundable_cents"] == 10_000
    )
    assert over.json()["error"]["param"] == "amount_cents"

    bad_reason = _refund(http, paying, payment_id, amount_cents=100, reason="changed_mind")
    assert bad_reason.status_code == 422

    # A manual payment: reversed, not refunded.
    other_invoice = make_invoice(paying.practice.group_id, paying.client_id, 4_000)
    check = http.post(
        f"/v1/invoices/{other_invoice}/payments",
        headers=paying.practice.biller,
        json={"amount_cents": 4_000, "method": "check", "received_date": "2026-04-01"},
    ).json()
    manual = _refund(http, paying, check["id"], amount_cents=100)
    assert manual.status_code == 409 and manual.json()["error"]["code"] == "payment_not_refundable"

    # A declined card payment took no money.
    declined_invoice = make_invoice(paying.practice.group_id, paying.client_id, 3_000)
    started = http.post(f"/v1/portal/invoices/{declined_invoice}/payments", headers=paying.headers, json={}).json()
    assert pay(http, paying.headers, started, card=DECLINED).json()["status"] == "failed"
    declined = _refund(http, paying, started["payment_id"], amount_cents=100)
    assert declined.status_code == 409 and declined.json()["error"]["code"] == "payment_not_succeeded"

    # An open dispute: answered in Stripe, not refunded (that could pay the client twice).
    with session_scope() as session:
        session.add(
            Dispute(
                group_id=uuid.UUID(paying.practice.group_id),
                payment_id=uuid.UUID(payment_id),
                stripe_dispute_id=f"dp_{uuid.uuid4().hex[:12]}",
                amount_cents=10_000,
                status="appeal_needs_response",
                funds_withdrawn_cents=0,
                funds_reinstated_cents=0,
                stripe_updated_at=int(time.time()),
            )
        )
    disputed = _refund(http, paying, payment_id, amount_cents=100)
    assert disputed.status_code == 409 and disputed.json()["error"]["code"] == "payment_disputed"

    # Not the practice's payment, not a payment at all, not a biller: 404, 404, 403.
    stranger = make_paying_client(http, localstripe.url)
    assert _refund(http, stranger, payment_id, amount_cents=100).status_code == 404
    assert _refund(http, paying, str(uuid.uuid4()), amount_cents=100).status_code == 404
    client = http.post(f"/v1/payments/{payment_id}/refunds", headers=paying.headers, json={"amount_cents": 100})
    assert client.status_code == 403

    assert _stripe_refunds(localstripe.url, paying, pi) == []
    assert _our_refunds(payment_id) == [] and _our_refunds(check["id"]) == []
    assert _invoice(http, paying, invoice_id)["paid_cents"] == 10_000


def test_two_refunds_clicked_at_once_never_exceed_the_payment(http, localstripe, paying, api_url):
    invoice_id, payment_id, pi = _paid_by_card(http, paying, 10_000)
    second_biller = dict(paying.practice.admin)  # another person, another idempotency scope

    def click(headers: dict[str, str]) -> httpx.Response:
        with httpx.Client(base_url=api_url, timeout=30) as c:
            return c.post(f"/v1/payments/{payment_id}/refunds", headers=headers, json={"amount_cents": 6_000})

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(click, [paying.practice.biller, second_biller]))
    assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    assert refused.json()["error"]["refundable_cents"] == 4_000
    assert [r["amount"] for r in _stripe_refunds(localstripe.url, paying, pi)] == [6_000]
    assert _invoice(http, paying, invoice_id)["paid_cents"] == 4_000


def test_stripe_fails_the_refund_later_the_money_is_back_and_staff_are_told(
    http, localstripe, paying, refund_webhooks, worker
):
    refund_webhooks(paying)
    invoice_id, payment_id, _pi = _paid_by_card(http, paying, 9_000)
    r = _refund(http, paying, payment_id, amount_cents=9_000, reason="duplicate")
    assert r.status_code == 201 and r.json()["status"] == "succeeded", r.text
    assert _invoice(http, paying, invoice_id)["status"] == "open"

    # Days later the client's card turns out closed: Stripe fails the refund.
    failed = httpx.post(
        f"{localstripe.url}/_standin/refunds/{r.json()['stripe_refund_id']}/fail",
        json={"failure_reason": "expired_or_canceled_card"},
        timeout=10,
    )
    assert failed.status_code == 200, failed.text
    poll_until(lambda: _invoice(http, paying, invoice_id)["status"] == "paid", message="refund.failed applied")
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["paid_cents"], invoice["balance_cents"]) == (9_000, 0)
    [card] = invoice["payments"]
    assert card["refunded_cents"] == 0 and card["refundable_cents"] == 9_000
    [row] = card["refunds"]
    assert (row["status"], row["failure_reason"]) == ("failed", "expired_or_canceled_card")

    [alert] = _alerts(http, paying, "refund_failed")
    assert alert["invoice_id"] == invoice_id and alert["payment_id"] == payment_id
    assert (
        "$90.00" in alert["message"]
        and "expired" in alert["message"]
        and "did not get the money back" in alert["message"]
    )
    assert [a["kind"] for a in invoice["alerts"]] == ["refund_failed"]

    # Both refund.updated and refund.failed say so, and Stripe may repeat them: still one alert.
    poll_until(
        lambda: (
            all(e.processed_at for e in _events(paying.practice.group_id, "refund.failed"))
            and _events(paying.practice.group_id, "refund.failed")
        ),
        message="refund.failed processed",
    )
    assert len(_alerts(http, paying, "refund_failed")) == 1

    # The money is the practice's again, so it can be refunded again (another way, another card).
    assert _refund(http, paying, payment_id, amount_cents=9_000).status_code == 201


def test_stripe_unreachable_the_refund_is_saved_and_sent_again_once(http, localstripe, flaky):
    paying = make_paying_client(http, flaky.url)
    invoice_id, payment_id, pi = _paid_by_card(http, paying, 7_000)

    # Stripe made the refund but the answer was lost: we cannot know, so the refund waits, pending.
    flaky.fail("POST", r"^/v1/refunds$", status=None, after_forward=True)
    r = _refund(http, paying, payment_id, amount_cents=2_500)
    assert r.status_code == 202, r.text
    assert (r.json()["status"], r.json()["stripe_refund_id"]) == ("pending", None)
    # Pending counts against what is refundable: a second refund cannot exceed the payment meanwhile.
    over = _refund(http, paying, payment_id, amount_cents=5_000)
    assert over.status_code == 422 and over.json()["error"]["refundable_cents"] == 4_500
    assert _invoice(http, paying, invoice_id)["paid_cents"] == 7_000  # not counted until Stripe confirms

    # The sweeper sends it again with the same idempotency key: Stripe answers the refund it made.
    assert resend_unsent(now=datetime.now(UTC) + timedelta(minutes=1)) == 1
    [at_stripe] = _stripe_refunds(localstripe.url, paying, pi)
    [row] = _our_refunds(payment_id)
    assert (row.stripe_refund_id, row.status) == (at_stripe["id"], "succeeded")
    assert _invoice(http, paying, invoice_id)["paid_cents"] == 4_500
    assert resend_unsent(now=datetime.now(UTC) + timedelta(minutes=1)) == 0


def test_refund_the_surplus_of_an_overpaid_invoice(http, localstripe, paying):
    invoice_id, payment_id, _pi = _paid_by_card(http, paying, 12_000)
    # A cheque for 3,000 was also recorded (the race the overpayment alert is about).
    mark_paid_by_check(paying.practice.group_id, invoice_id, 3_000, received_date=date(2026, 4, 2), reference=None)
    assert _invoice(http, paying, invoice_id)["overpaid_cents"] == 3_000

    r = _refund(http, paying, payment_id, amount_cents=3_000, reason="duplicate")
    assert r.status_code == 201, r.text
    invoice = _invoice(http, paying, invoice_id)
    assert (invoice["status"], invoice["paid_cents"], invoice["overpaid_cents"]) == ("paid", 12_000, 0)
