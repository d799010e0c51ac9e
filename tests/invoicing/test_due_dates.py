"""Due dates: from the practice's payment terms or the date a biller picks in the run; fixed at issue;
shown on the lists, the invoice, the portal and the PDF; "overdue" on the practice's own calendar."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.db.engine import session_scope
from shared.ledger.due import days_overdue, due_date_for, is_overdue, practice_today
from shared.ledger.invoices import Invoice
from tests import factories as b
from tests.factories import pdf_text

# --- the rules, without a database ---


@pytest.mark.parametrize(
    ("terms", "due"),
    [("due_on_receipt", date(2026, 4, 1)), ("net_7", date(2026, 4, 8)), ("net_15", date(2026, 4, 16)),
     ("net_30", date(2026, 5, 1))],
)  # fmt: skip
def test_terms_count_days_from_the_invoiced_date(terms, due):
    assert due_date_for(date(2026, 4, 1), terms) == due


def test_today_is_the_practices_calendar_day_not_the_servers():
    # 03:30 UTC on 1 May is still 30 April in New York and already 1 May in Auckland.
    now = datetime(2026, 5, 1, 3, 30, tzinfo=UTC)
    assert practice_today("America/New_York", now) == date(2026, 4, 30)
    assert practice_today("Pacific/Auckland", now) == date(2026, 5, 1)
    due = date(2026, 4, 30)
    assert not is_overdue("open", due, practice_today("America/New_York", now))  # due today: not yet
    assert is_overdue("open", due, practice_today("Pacific/Auckland", now))
    assert days_overdue("partially_paid", due, date(2026, 5, 31)) == 31


@pytest.mark.parametrize("status", ["paid", "void"])
def test_nothing_owed_is_never_overdue(status):
    assert not is_overdue(status, date(2020, 1, 1), date(2026, 1, 1))
    assert days_overdue(status, date(2020, 1, 1), date(2026, 1, 1)) == 0


# --- through the API and the worker ---


def _set_terms(http, practice, terms):
    return http.patch("/v1/settings", headers=practice.admin, json={"payment_terms": terms})


def _run(http, practice, services, invoiced_date="2026-04-01", **extra):
    return http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [str(s) for s in services], "invoiced_date": invoiced_date, **extra},
    )


def _invoices(http, practice, **params):
    r = http.get("/v1/invoices", headers=practice.biller, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_the_practices_terms_give_the_due_date_and_a_change_applies_to_new_invoices_only(http, worker):
    practice = b.make_practice(staff=True)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    rate = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    first = b.make_service(practice, ada, rate, "2026-03-02")
    second = b.make_service(practice, ada, rate, "2026-03-09")

    assert http.get("/v1/settings", headers=practice.admin).json()["payment_terms"] == "due_on_receipt"
    r = _set_terms(http, practice, "net_30")
    assert r.status_code == 200 and r.json()["payment_terms"] == "net_30", r.text
    audit = http.get("/v1/audit-events", headers=practice.admin, params={"action": "settings.updated"}).json()
    assert any(e["data"].get("payment_terms") == "net_30" for e in audit["data"]), audit

    run = b.invoice(http, practice, [first], "2026-04-01")
    assert run["due_date"] == "2026-05-01"
    [issued] = _invoices(http, practice)
    assert issued["due_date"] == "2026-05-01"

    # Terms changed later: the issued invoice keeps its due date; the next run uses the new terms.
    assert _set_terms(http, practice, "net_7").status_code == 200
    b.invoice(http, practice, [second], "2026-04-10")
    by_number = {i["number"]: i["due_date"] for i in _invoices(http, practice)}
    assert by_number == {"INV-000001": "2026-05-01", "INV-000002": "2026-04-17"}

    pdf = http.get(f"/v1/invoices/{issued['id']}/pdf", headers=practice.biller)
    assert pdf.status_code == 200
    assert "Due date" in pdf_text(pdf.content) and "2026-05-01" in pdf_text(pdf.content)


def test_a_biller_picks_the_due_date_of_a_run(http, worker):
    practice = b.make_practice(staff=True)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    rate = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    service = b.make_service(practice, ada, rate, "2026-03-02")

    r = _run(http, practice, [service], due_date="2026-04-20")
    assert r.status_code == 202 and r.json()["due_date"] == "2026-04-20", r.text
    run = b.wait_for_run(http, practice, r.json()["id"])
    [issued] = _invoices(http, practice)
    assert run["status"] == "succeeded" and issued["due_date"] == "2026-04-20"
    portal = http.get(f"/v1/portal/invoices/{issued['id']}", headers=ada.portal).json()
    assert portal["due_date"] == "2026-04-20"


@pytest.mark.parametrize(
    ("due_date", "code"),
    [
        ("2026-03-31", "due_date_before_invoiced_date"),
        ("2027-04-03", "due_date_too_late"),
        ("1999-12-31", "validation_failed"),
        ("2026-02-30", "validation_failed"),
        ("next week", "validation_failed"),
    ],
)
def test_a_due_date_that_cannot_be_right_is_refused_and_claims_nothing(http, due_date, code):
    practice = b.make_practice(staff=True)
    ada = b.make_client(practice, "Ada Lovelace")
    rate = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    service = b.make_service(practice, ada, rate, "2026-03-02")

    r = _run(http, practice, [service], due_date=due_date)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["param"] == "due_date", r.text
    assert b.service_state([service]) == {str(service): (None, None)}
    assert b.run_count() == 0


@pytest.mark.parametrize("terms", ["net_45", "Net_30", "", None, 30])
def test_unknown_payment_terms_are_refused_and_change_nothing(http, terms):
    practice = b.make_practice(staff=True)
    r = _set_terms(http, practice, terms)
    if terms is None:  # null means "unchanged", as for every setting that cannot be cleared
        assert r.status_code == 200 and r.json()["payment_terms"] == "due_on_receipt"
        return
    assert r.status_code == 422 and r.json()["error"]["param"] == "payment_terms", r.text
    assert http.get("/v1/settings", headers=practice.admin).json()["payment_terms"] == "due_on_receipt"


def test_billers_cannot_change_the_terms(http):
    practice = b.make_practice(staff=True)
    r = http.patch("/v1/settings", headers=practice.biller, json={"payment_terms": "net_30"})
    assert r.status_code == 403, r.text


def _set_due(invoice_id: str, due: date) -> None:
    with session_scope() as session:
        session.get(Invoice, uuid.UUID(invoice_id)).due_date = due


def test_overdue_is_shown_where_money_is_owed_past_the_due_date(http, worker):
    practice = b.make_practice(staff=True)  # America/New_York
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    rate = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    services = [b.make_service(practice, ada, rate, f"2026-03-0{d}") for d in (2, 3, 4)]
    for service in services:
        b.invoice(http, practice, [service], "2026-04-01")
    late, due_today, paid = sorted(_invoices(http, practice), key=lambda i: i["number"])
    today = practice_today("America/New_York")
    _set_due(late["id"], today - timedelta(days=1))
    _set_due(due_today["id"], today)
    _set_due(paid["id"], today - timedelta(days=40))
    r = http.post(
        "/v1/invoices/mark-paid",
        headers=practice.biller,
        json={"invoice_ids": [paid["id"]], "received_date": "2026-04-10", "method": "check", "reference": "1001"},
    )
    assert r.status_code == 200, r.text

    shown = {i["number"]: i["overdue"] for i in _invoices(http, practice)}
    assert shown == {late["number"]: True, due_today["number"]: False, paid["number"]: False}
    assert [i["number"] for i in _invoices(http, practice, overdue="true")] == [late["number"]]
    assert {i["number"] for i in _invoices(http, practice, overdue="false")} == {due_today["number"], paid["number"]}
    assert http.get(f"/v1/invoices/{late['id']}", headers=practice.biller).json()["overdue"] is True

    portal_list = http.get("/v1/portal/invoices", headers=ada.portal).json()["data"]
    assert {i["number"]: i["overdue"] for i in portal_list} == shown
    detail = http.get(f"/v1/portal/invoices/{late['id']}", headers=ada.portal).json()
    assert detail["overdue"] is True and detail["due_date"] == (today - timedelta(days=1)).isoformat()
