"""Collected per month: card, bank debit, by hand and insurance, less refunds, each on the month the
money arrived (a card payment: the day Stripe said it succeeded); a reversed payment counts nowhere;
only the chosen months; a CSV; and only the practice's own staff see it."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import update

from shared.db.engine import session_scope
from shared.ledger.due import practice_today
from shared.ledger.payments import Payment, Refund
from shared.payments.card import apply_payment_intent
from tests.factories import (
    make_card_payment,
    make_client_login,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
)
from tests.stripe_events import payment_intent


def _manual(http, practice, invoice_id: str, amount: int, method: str, received: str) -> dict:
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": amount, "method": method, "received_date": received},
    )
    assert r.status_code == 201, r.text
    return r.json()


def _card_paid(practice, invoice_id: str, amount: int, *, bank: bool = False) -> uuid.UUID:
    gid = uuid.UUID(practice.group_id)
    payment_id, pi_id = make_card_payment(gid, uuid.UUID(invoice_id), amount)
    if bank:
        with session_scope() as session:
            session.execute(
                update(Payment).where(Payment.id == payment_id).values(stripe_payment_method_type="us_bank_account")
            )
    with session_scope() as session:
        pi = payment_intent(pi_id=pi_id, amount=amount, status="succeeded")
        assert apply_payment_intent(session, gid, pi, source="webhook").outcome == "applied"
    return payment_id


def test_each_month_shows_what_was_collected_by_kind_less_refunds(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    today = practice_today("America/New_York")
    this_month = today.strftime("%Y-%m")
    invoices = [make_invoice(practice.group_id, client["id"], 50_000) for _ in range(4)]
    _manual(http, practice, invoices[0], 4_000, "check", "2026-03-10")
    _manual(http, practice, invoices[0], 1_500, "cash", "2026-03-31")
    _manual(http, practice, invoices[1], 7_000, "insurance", "2026-04-01")
    mistake = _manual(http, practice, invoices[1], 9_999, "cash", "2026-04-02")
    assert (
        http.post(f"/v1/payments/{mistake['id']}/reverse", headers=practice.biller, json={"reason": "typo"}).status_code
        == 200
    )
    card = _card_paid(practice, invoices[2], 12_000)
    _card_paid(practice, invoices[3], 8_000, bank=True)
    with session_scope() as session:
        received = session.get(Payment, card).received_date
        session.add(
            Refund(group_id=uuid.UUID(practice.group_id), payment_id=card, amount_cents=2_000, status="succeeded")
        )
        session.add(Refund(group_id=uuid.UUID(practice.group_id), payment_id=card, amount_cents=500, status="failed"))
    assert received == today  # a card payment is collected on the day it succeeded

    r = http.get("/v1/reports/collections", headers=practice.biller, params={"from": "2026-03", "to": this_month})
    assert r.status_code == 200, r.text
    report = r.json()
    by_month = {m["month"]: m for m in report["months"]}
    assert report["months"][0]["month"] == "2026-03" and report["months"][-1]["month"] == this_month
    assert (by_month["2026-03"]["manual"], by_month["2026-03"]["net"]) == (5_500, 5_500)
    assert (by_month["2026-04"]["insurance"], by_month["2026-04"]["manual"]) == (7_000, 0)  # the reversed cash: nowhere
    now = by_month[this_month]
    assert (now["card"], now["ach"], now["refunds"]) == (12_000, 8_000, 2_000)
    assert report["totals"]["net"] == 5_500 + 7_000 + 12_000 + 8_000 - 2_000
    assert len({m["month"] for m in report["months"]}) == len(report["months"])  # every month once, empty ones too

    # Only the chosen months.
    march = http.get(
        "/v1/reports/collections", headers=practice.biller, params={"from": "2026-03", "to": "2026-03"}
    ).json()
    assert [m["month"] for m in march["months"]] == ["2026-03"] and march["totals"]["net"] == 5_500

    csv_answer = http.get(
        "/v1/reports/collections.csv", headers=practice.biller, params={"from": "2026-03", "to": "2026-04"}
    )
    assert csv_answer.status_code == 200 and csv_answer.headers["content-type"].startswith("text/csv")
    assert 'filename="collections-2026-03-to-2026-04.csv"' in csv_answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(csv_answer.text)))
    assert rows[0][0] == "Month" and rows[1][:4] == ["2026-03", "0.00", "0.00", "55.00"]
    assert rows[-1][0] == "All months" and rows[-1][-1] == "125.00"


def test_bad_ranges_are_refused_and_other_practices_see_nothing(http):
    practice = make_practice_via_api(http)
    other = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    invoice = make_invoice(practice.group_id, client["id"], 5_000)
    _manual(http, practice, invoice, 5_000, "check", "2026-03-10")

    def code(**params):
        r = http.get("/v1/reports/collections", headers=practice.biller, params=params)
        return r.status_code, r.json()["error"]["code"]

    assert code(**{"from": "2026-13"}) == (422, "invalid_month")
    assert code(**{"from": "March"}) == (422, "invalid_month")
    assert code(**{"from": "9999-01"}) == (422, "invalid_month")
    assert code(**{"from": "2026-05", "to": "2026-03"}) == (422, "month_range_reversed")
    assert code(**{"from": "2023-01", "to": "2026-03"}) == (422, "month_range_too_long")
    r = http.get("/v1/reports/collections", headers=practice.biller)
    assert r.status_code == 200 and len(r.json()["months"]) == 12  # the last twelve by default

    theirs = http.get("/v1/reports/collections", headers=other.biller, params={"from": "2026-03", "to": "2026-03"})
    assert theirs.json()["totals"]["net"] == 0
    token = make_client_login(practice, client["id"])
    assert http.get("/v1/reports/collections", headers={"Authorization": f"Bearer {token}"}).status_code == 403
