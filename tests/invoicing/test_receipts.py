"""A receipt PDF for every received payment — recorded by hand or paid by card, with its refunds —
for staff and for the client who paid: the practice's letterhead, amount, date, method; never the
invoice's service descriptions. Another client's or practice's payment is not found."""

from __future__ import annotations

import uuid

from shared.db.engine import session_scope
from shared.ledger.payments import Refund
from shared.payments.card import apply_payment_intent
from tests.factories import (
    auth,
    make_card_payment,
    make_client_login,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    pdf_text,
)
from tests.stripe_events import payment_intent

LINE = "Individual session (self-pay)"  # what make_invoice writes on the invoice's one line


def test_a_check_payment_has_a_receipt_for_staff_and_for_the_client(http):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    invoice_id = make_invoice(practice.group_id, ada["id"], 12_000)
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": 4_000, "method": "check", "received_date": "2026-04-05", "reference": "chk-1042"},
    )
    assert r.status_code == 201, r.text
    payment_id = r.json()["id"]

    staff = http.get(f"/v1/payments/{payment_id}/receipt", headers=practice.biller)
    assert staff.status_code == 200, staff.text
    assert staff.headers["content-type"] == "application/pdf" and staff.headers["cache-control"] == "no-store"
    text = pdf_text(staff.content)
    for expected in ("RECEIPT", "Calm Therapy", "Ada Lovelace", "INV-000001-1", "2026-04-05", "Check", "chk-1042",
                     "$40.00", "$80.00"):  # fmt: skip
        assert expected in text, (expected, text)
    assert LINE not in text

    mine = auth(make_client_login(practice, ada["id"]))
    assert http.get(f"/v1/portal/payments/{payment_id}/receipt", headers=mine).content[:5] == b"%PDF-"
    theirs = auth(make_client_login(practice, grace["id"]))
    assert http.get(f"/v1/portal/payments/{payment_id}/receipt", headers=theirs).status_code == 404
    other = make_practice_via_api(http)
    assert http.get(f"/v1/payments/{payment_id}/receipt", headers=other.biller).status_code == 404
    assert http.get("/v1/payments/not-an-id/receipt", headers=practice.biller).status_code == 404

    # A reversed payment was never received: no receipt.
    assert (
        http.post(f"/v1/payments/{payment_id}/reverse", headers=practice.biller, json={"reason": "typo"}).status_code
        == 200
    )
    refused = http.get(f"/v1/payments/{payment_id}/receipt", headers=practice.biller)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "payment_not_succeeded")


def test_a_card_payments_receipt_shows_its_refunds(http):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Łukasz Nguyễn 王秀英")
    invoice_id = make_invoice(practice.group_id, ada["id"], 10_000)
    gid = uuid.UUID(practice.group_id)
    payment_id, pi_id = make_card_payment(gid, uuid.UUID(invoice_id), 10_000)
    with session_scope() as session:
        apply_payment_intent(
            session, gid, payment_intent(pi_id=pi_id, amount=10_000, status="succeeded"), source="webhook"
        )
        session.add(Refund(group_id=gid, payment_id=payment_id, amount_cents=2_500, status="succeeded"))
    text = pdf_text(http.get(f"/v1/payments/{payment_id}/receipt", headers=practice.admin).content)
    assert "Łukasz Nguyễn 王秀英" in text and "Card" in text
    assert "$100.00" in text and "-$25.00" in text and "$75.00" in text  # received, refunded, kept
    assert LINE not in text
