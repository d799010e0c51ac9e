"""A client signs in to the portal and sees their own invoices, and nobody else's."""

from __future__ import annotations

import uuid

import pytest

from tests import factories as b
from tests.factories import pdf_text


@pytest.fixture
def two_clients(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    rate = b.make_rate(practice, amount_cents=8_000)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    grace = b.make_client(practice, "Grace Hopper", portal=True)
    march = b.invoice(
        http,
        practice,
        [b.make_service(practice, ada, rate, "2026-03-02"), b.make_service(practice, grace, rate, "2026-03-02")],
        "2026-04-01",
    )
    april = b.invoice(
        http, practice, [b.make_service(practice, ada, rate, "2026-04-06", insurance_paid_cents=3_000)], "2026-05-01"
    )
    return {
        "practice": practice,
        "ada": ada,
        "grace": grace,
        "ada_march": march["invoice_ids"][0],
        "grace_march": march["invoice_ids"][1],
        "ada_april": april["invoice_ids"][0],
    }


def test_a_client_sees_their_invoices_newest_first_with_balances(http, two_clients):
    ada, practice = two_clients["ada"], two_clients["practice"]
    assert http.get("/v1/portal/summary", headers=ada.portal).json() == {
        "unpaid_invoice_count": 2,
        "balance_due_cents": 8_000 + 5_000,
        "currency": "USD",
    }
    listed = http.get("/v1/portal/invoices", headers=ada.portal).json()
    assert [(i["number"], i["total_cents"], i["balance_cents"], i["status"]) for i in listed["data"]] == [
        ("INV-000003", 5_000, 5_000, "open"),
        ("INV-000001", 8_000, 8_000, "open"),
    ]
    assert listed["has_more"] is False
    first_page = http.get("/v1/portal/invoices", params={"limit": 1}, headers=ada.portal).json()
    assert first_page["has_more"] is True
    rest = http.get(
        "/v1/portal/invoices", params={"limit": 1, "starting_after": first_page["data"][0]["id"]}, headers=ada.portal
    ).json()
    assert [i["number"] for i in rest["data"]] == ["INV-000001"] and rest["has_more"] is False

    detail = http.get(f"/v1/portal/invoices/{two_clients['ada_april']}", headers=ada.portal).json()
    assert [
        (ln["description"], ln["amount_cents"], ln["insurance_paid_cents"], ln["client_part_cents"])
        for ln in detail["lines"]
    ] == [("General Service (Self-Pay)", 8_000, 3_000, 5_000)]
    assert detail["payments"] == []

    # A check arrives for March: the red number drops, the list shows it paid.
    http.post(
        "/v1/invoices/mark-paid",
        headers=practice.biller,
        json={"invoice_ids": [two_clients["ada_march"]], "received_date": "2026-04-20", "method": "check"},
    )
    assert http.get("/v1/portal/summary", headers=ada.portal).json() == {
        "unpaid_invoice_count": 1,
        "balance_due_cents": 5_000,
        "currency": "USD",
    }
    march = http.get(f"/v1/portal/invoices/{two_clients['ada_march']}", headers=ada.portal).json()
    assert (march["status"], march["balance_cents"]) == ("paid", 0)
    assert [(p["method"], p["amount_cents"], p["received_date"]) for p in march["payments"]] == [
        ("check", 8_000, "2026-04-20")
    ]
    pdf = http.get(f"/v1/portal/invoices/{two_clients['ada_march']}/pdf", headers=ada.portal)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "PAID" in text and "Ada Lovelace" in text and "INV-000001" in text


def test_a_client_cannot_read_another_clients_invoice(http, two_clients):
    ada, grace = two_clients["ada"], two_clients["grace"]
    for path in (
        f"/v1/portal/invoices/{two_clients['grace_march']}",
        f"/v1/portal/invoices/{two_clients['grace_march']}/pdf",
    ):
        r = http.get(path, headers=ada.portal)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "resource_missing")
    assert [i["id"] for i in http.get("/v1/portal/invoices", headers=ada.portal).json()["data"]] == [
        two_clients["ada_april"],
        two_clients["ada_march"],
    ]
    assert [i["id"] for i in http.get("/v1/portal/invoices", headers=grace.portal).json()["data"]] == [
        two_clients["grace_march"]
    ]
    # Paging after someone else's invoice finds nothing to page after.
    r = http.get("/v1/portal/invoices", params={"starting_after": two_clients["grace_march"]}, headers=ada.portal)
    assert r.status_code == 404
    assert http.get(f"/v1/portal/invoices/{uuid.uuid4()}", headers=ada.portal).status_code == 404
    assert http.get("/v1/portal/invoices/not-an-id", headers=ada.portal).status_code == 404


def test_another_practices_client_and_staff_see_nothing_of_it(http, two_clients):
    other = b.make_practice(staff=True, name="Other Practice", currency="JPY")
    stranger = b.make_client(other, "Stranger", portal=True)
    assert http.get("/v1/portal/summary", headers=stranger.portal).json() == {
        "unpaid_invoice_count": 0,
        "balance_due_cents": 0,
        "currency": "JPY",
    }
    assert http.get("/v1/portal/invoices", headers=stranger.portal).json()["data"] == []
    assert http.get(f"/v1/portal/invoices/{two_clients['ada_march']}", headers=stranger.portal).status_code == 404
    assert http.get(f"/v1/invoices/{two_clients['ada_march']}", headers=other.biller).status_code == 404
    r = http.post(
        "/v1/invoices/mark-paid",
        headers=other.biller,
        json={"invoice_ids": [two_clients["ada_march"]], "received_date": "2026-04-20", "method": "check"},
    )
    assert r.status_code == 404
    assert http.post(f"/v1/invoices/{two_clients['ada_march']}/void", headers=other.biller).status_code == 404


def test_roles_keep_to_their_side(http, two_clients):
    ada, practice = two_clients["ada"], two_clients["practice"]
    # Clients use the portal, not the staff pages; staff have no portal of their own.
    assert http.get("/v1/invoices", headers=ada.portal).status_code == 403
    assert http.get(f"/v1/invoices/{two_clients['ada_march']}/pdf", headers=ada.portal).status_code == 403
    assert (
        http.post(
            "/v1/invoices/mark-paid",
            headers=ada.portal,
            json={"invoice_ids": [two_clients["ada_march"]], "received_date": "2026-04-20", "method": "check"},
        ).status_code
        == 403
    )
    assert http.get("/v1/portal/summary", headers=practice.biller).status_code == 403
    assert http.get("/v1/portal/summary").status_code == 401


def test_a_zero_decimal_currency_reads_right_on_the_pdf(http, worker):
    practice = b.make_practice(staff=True, name="Tokyo Clinic", currency="JPY")
    client = b.make_client(practice, "Hana Sato", portal=True)
    rate = b.make_rate(practice, "Counselling (Self-Pay)", amount_cents=123_450)
    run = b.invoice(http, practice, [b.make_service(practice, client, rate)])
    text = pdf_text(http.get(f"/v1/portal/invoices/{run['invoice_ids'][0]}/pdf", headers=client.portal).content)
    assert "¥123,450" in text
    assert http.get("/v1/portal/summary", headers=client.portal).json() == {
        "unpaid_invoice_count": 1,
        "balance_due_cents": 123_450,
        "currency": "JPY",
    }
