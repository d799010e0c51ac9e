"""Money received outside the portal: partial payments, mark-paid, reversing a mistake, voiding."""

from __future__ import annotations

import uuid

import pytest

from shared.db.engine import session_scope
from shared.ledger.payments import Payment
from tests import factories as b
from tests.factories import pdf_text


@pytest.fixture
def invoiced(http, worker):
    """Two clients, each with one open invoice: Ada owes $250.00, Grace $100.00."""
    practice = b.make_practice(staff=True, name="Calm Therapy")
    rate = b.make_rate(practice, amount_cents=12_500)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    grace = b.make_client(practice, "Grace Hopper", portal=True)
    ada_services = [
        b.make_service(practice, ada, rate, "2026-03-02"),
        b.make_service(practice, ada, rate, "2026-03-09"),
    ]
    grace_services = [b.make_service(practice, grace, rate, "2026-03-03", amount_cents=10_000)]
    run = b.invoice(http, practice, ada_services + grace_services)
    ada_invoice, grace_invoice = run["invoice_ids"]
    return {
        "practice": practice,
        "ada": ada,
        "grace": grace,
        "ada_invoice": ada_invoice,
        "grace_invoice": grace_invoice,
        "ada_services": ada_services,
        "grace_services": grace_services,
    }


def get_invoice(http, practice, invoice_id):
    return http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()


def pay(http, practice, invoice_id, amount, method="cash", **extra):
    return http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": amount, "method": method, "received_date": "2026-04-05", **extra},
    )


def test_partial_payments_then_a_reversed_mistake(http, invoiced):
    practice, invoice_id = invoiced["practice"], invoiced["ada_invoice"]
    r = pay(http, practice, invoice_id, 10_000, "check", reference="check 77")
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["amount_cents"], first["method"], first["status"], first["reference"]) == (
        10_000,
        "check",
        "succeeded",
        "check 77",
    )
    inv = get_invoice(http, practice, invoice_id)
    assert (inv["status"], inv["paid_cents"], inv["balance_cents"]) == ("partially_paid", 10_000, 15_000)
    assert http.get("/v1/portal/summary", headers=invoiced["ada"].portal).json()["balance_due_cents"] == 15_000

    # The cash was entered twice by mistake; the biller reverses one entry.
    second = pay(http, practice, invoice_id, 5_000).json()
    mistake = pay(http, practice, invoice_id, 5_000).json()
    assert get_invoice(http, practice, invoice_id)["balance_cents"] == 5_000
    r = http.post(f"/v1/payments/{mistake['id']}/reverse", headers=practice.biller, json={"reason": "entered twice"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reversal_reason"]) == ("reversed", "entered twice")
    inv = get_invoice(http, practice, invoice_id)
    assert (inv["status"], inv["balance_cents"]) == ("partially_paid", 10_000)
    # Kept in the history, in the order received.
    assert [(p["id"], p["status"]) for p in inv["payments"]] == [
        (first["id"], "succeeded"),
        (second["id"], "succeeded"),
        (mistake["id"], "reversed"),
    ]
    again = http.post(f"/v1/payments/{mistake['id']}/reverse", headers=practice.biller, json={"reason": "again"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "payment_already_reversed")

    # The rest arrives: paid in full, nothing more can be paid.
    assert pay(http, practice, invoice_id, 10_000).status_code == 201
    inv = get_invoice(http, practice, invoice_id)
    assert (inv["status"], inv["balance_cents"], inv["paid_cents"]) == ("paid", 0, 25_000)
    more = pay(http, practice, invoice_id, 1)
    assert (more.status_code, more.json()["error"]["code"]) == (409, "invoice_already_paid")
    # Reversing a payment on a paid invoice opens it again.
    assert (
        http.post(
            f"/v1/payments/{second['id']}/reverse", headers=practice.biller, json={"reason": "bounced"}
        ).status_code
        == 200
    )
    inv = get_invoice(http, practice, invoice_id)
    assert (inv["status"], inv["balance_cents"]) == ("partially_paid", 5_000)


@pytest.mark.parametrize("amount", [0, -100, 10.5, "1000", True, None])
def test_a_payment_amount_that_is_not_positive_whole_cents_is_422(http, invoiced, amount):
    practice, invoice_id = invoiced["practice"], invoiced["ada_invoice"]
    r = pay(http, practice, invoice_id, amount)
    assert (r.status_code, r.json()["error"]["param"]) == (422, "amount_cents")
    assert get_invoice(http, practice, invoice_id)["payments"] == []


def test_more_than_the_balance_or_a_card_method_is_422_and_changes_nothing(http, invoiced):
    practice, invoice_id = invoiced["practice"], invoiced["ada_invoice"]
    r = pay(http, practice, invoice_id, 25_001)
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["balance_cents"]) == (
        422,
        "amount_exceeds_balance",
        25_000,
    )
    assert pay(http, practice, invoice_id, 100, method="card").status_code == 422
    assert pay(http, practice, invoice_id, 100, method="bitcoin").status_code == 422
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": 100, "method": "cash", "received_date": "2026-02-30"},
    )
    assert r.status_code == 422
    inv = get_invoice(http, practice, invoice_id)
    assert (inv["status"], inv["balance_cents"], inv["payments"]) == ("open", 25_000, [])
    assert pay(http, practice, str(uuid.uuid4()), 100).status_code == 404


def test_mark_paid_records_each_remaining_balance(http, invoiced):
    practice = invoiced["practice"]
    pay(http, practice, invoiced["ada_invoice"], 5_000)
    r = http.post(
        "/v1/invoices/mark-paid",
        headers=practice.biller,
        json={
            "invoice_ids": [invoiced["ada_invoice"], invoiced["grace_invoice"]],
            "received_date": "2026-04-10",
            "method": "insurance",
            "reference": "EOB 3",
        },
    )
    assert r.status_code == 200, r.text
    assert [(p["invoice_id"], p["amount_cents"]) for p in r.json()["data"]] == [
        (invoiced["ada_invoice"], 20_000),
        (invoiced["grace_invoice"], 10_000),
    ]
    for key in ("ada_invoice", "grace_invoice"):
        inv = get_invoice(http, practice, invoiced[key])
        assert (inv["status"], inv["balance_cents"]) == ("paid", 0)
    listed = http.get("/v1/invoices", params={"status": "paid"}, headers=practice.biller).json()["data"]
    assert len(listed) == 2
    assert http.get("/v1/invoices", params={"status": "open"}, headers=practice.biller).json()["data"] == []


def test_mark_paid_with_any_paid_void_or_unknown_invoice_refuses_the_whole_request(http, invoiced):
    practice = invoiced["practice"]
    ada, grace = invoiced["ada_invoice"], invoiced["grace_invoice"]

    def mark(ids, **overrides):
        body = {"invoice_ids": ids, "received_date": "2026-04-10", "method": "check", "reference": None, **overrides}
        return http.post("/v1/invoices/mark-paid", headers=practice.biller, json=body)

    def unchanged():
        assert get_invoice(http, practice, ada)["payments"] == []
        assert get_invoice(http, practice, ada)["status"] == "open"

    assert mark([grace]).status_code == 200
    r = mark([ada, grace])
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["invoice_ids"]) == (
        409,
        "invoice_already_paid",
        [grace],
    )
    unchanged()
    unknown = str(uuid.uuid4())
    r = mark([ada, unknown])
    assert (r.status_code, r.json()["error"]["invoice_ids"]) == (404, [unknown])
    unchanged()
    r = mark([])
    assert (r.status_code, r.json()["error"]["code"]) == (422, "empty_selection")
    assert mark([ada], method="card").status_code == 422
    assert mark([ada], received_date="soon").status_code == 422
    unchanged()

    # A void invoice refuses it too.
    other = b.make_client(practice, "Zed Client")
    rate = b.make_rate(practice, "Another (Self-Pay)")
    run = b.invoice(http, practice, [b.make_service(practice, other, rate)])
    assert http.post(f"/v1/invoices/{run['invoice_ids'][0]}/void", headers=practice.biller).status_code == 200
    r = mark([ada, run["invoice_ids"][0]])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invoice_void")
    unchanged()
    # A void invoice takes no partial payment either.
    r = pay(http, practice, run["invoice_ids"][0], 100)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invoice_void")


def test_a_card_payment_is_refunded_in_stripe_not_reversed(http, invoiced):
    practice, invoice_id = invoiced["practice"], invoiced["grace_invoice"]
    with session_scope() as session:
        card = Payment(
            group_id=practice.group_id,
            invoice_id=uuid.UUID(invoice_id),
            method="card",
            amount_cents=10_000,
            currency="USD",
            status="succeeded",
            refunded_cents=0,
            overpayment_cents=0,
            stripe_payment_intent_id=f"pi_{uuid.uuid4().hex}",
        )
        session.add(card)
        session.flush()
        card_id = str(card.id)
    r = http.post(f"/v1/payments/{card_id}/reverse", headers=practice.biller, json={"reason": "oops"})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "card_payment_not_reversible")
    assert (
        http.post(f"/v1/payments/{uuid.uuid4()}/reverse", headers=practice.biller, json={"reason": "x"}).status_code
        == 404
    )
    assert http.post(f"/v1/payments/{card_id}/reverse", headers=practice.biller, json={}).status_code == 422


def test_voiding_returns_the_services_to_the_queue_and_keeps_the_number_used(http, invoiced):
    practice, invoice_id = invoiced["practice"], invoiced["ada_invoice"]
    # Not while money is on it.
    payment = pay(http, practice, invoice_id, 1_000).json()
    r = http.post(f"/v1/invoices/{invoice_id}/void", headers=practice.biller)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invoice_has_payments")
    assert get_invoice(http, practice, invoice_id)["status"] == "partially_paid"
    http.post(f"/v1/payments/{payment['id']}/reverse", headers=practice.biller, json={"reason": "wrong client"})

    r = http.post(f"/v1/invoices/{invoice_id}/void", headers=practice.biller)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["balance_cents"]) == ("void", 0)
    queue = {row["id"] for row in http.get("/v1/invoicing/queue", headers=practice.biller).json()["data"]}
    assert queue == {str(s) for s in invoiced["ada_services"]}
    # Its lines stay as history; the PDF says VOID.
    inv = get_invoice(http, practice, invoice_id)
    assert len(inv["lines"]) == 2 and inv["status"] == "void"
    assert "VOID" in pdf_text(http.get(f"/v1/invoices/{invoice_id}/pdf", headers=practice.biller).content)
    again = http.post(f"/v1/invoices/{invoice_id}/void", headers=practice.biller)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invoice_void")
    # The client no longer owes it, nor sees it in the list.
    assert http.get("/v1/portal/summary", headers=invoiced["ada"].portal).json()["unpaid_invoice_count"] == 0
    assert http.get("/v1/portal/invoices", headers=invoiced["ada"].portal).json()["data"] == []

    # Invoiced again, the services get the next number; the void one is not reused.
    run = b.invoice(http, practice, invoiced["ada_services"], "2026-04-15")
    again = get_invoice(http, practice, run["invoice_ids"][0])
    assert again["number"] == "INV-000003" and again["total_cents"] == 25_000
    assert b.invoice_sequences(practice.group_id) == [1, 2, 3]
