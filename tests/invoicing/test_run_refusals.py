"""A run the biller cannot start is refused whole, says why, and changes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from shared.billing.models import Service
from shared.db.engine import session_scope
from shared.invoicing.models import InvoicingRun
from tests import factories as b


@pytest.fixture
def office(http):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    client = b.make_client(practice, "Ada Lovelace")
    rate = b.make_rate(practice)
    insurance = b.make_rate(practice, "General Service", payer="insurance", is_invoiced=False)
    services = [b.make_service(practice, client, rate, f"2026-03-0{d}") for d in (1, 2, 3)]
    on_insurance = b.make_service(practice, client, insurance, "2026-03-04")
    other = b.make_practice(staff=True, name="Other Practice")
    foreign = b.make_service(other, b.make_client(other, "Someone Else"), b.make_rate(other))
    return {
        "practice": practice,
        "services": services,
        "on_insurance": on_insurance,
        "foreign": foreign,
        "other": other,
    }


def assert_nothing_changed(http, office):
    assert b.run_count() == 0
    states = b.service_state(office["services"] + [office["on_insurance"]])
    assert set(states.values()) == {(None, None)}
    queue = http.get("/v1/invoicing/queue", headers=office["practice"].biller).json()["data"]
    assert {row["id"] for row in queue} == {str(s) for s in office["services"]}


def refused(http, office, body: dict) -> dict:
    r = http.post("/v1/invoicing/runs", headers=office["practice"].biller, json=body)
    assert_nothing_changed(http, office)
    return {"status": r.status_code, **r.json()["error"]}


def test_an_empty_selection_is_refused(http, office):
    error = refused(http, office, {"service_ids": [], "invoiced_date": "2026-04-01"})
    assert (error["status"], error["code"], error["param"]) == (422, "empty_selection", "service_ids")


@pytest.mark.parametrize("bad_date", ["2026-02-30", "April 1st", "", 20260401, None, "2026-4-1"])
def test_an_invoiced_date_that_is_not_a_date_is_refused(http, office, bad_date):
    error = refused(http, office, {"service_ids": [str(s) for s in office["services"]], "invoiced_date": bad_date})
    assert (error["status"], error["param"]) == (422, "invoiced_date")


def test_a_missing_date_or_an_unknown_field_is_refused(http, office):
    ids = [str(s) for s in office["services"]]
    assert refused(http, office, {"service_ids": ids})["status"] == 422
    assert refused(http, office, {"service_ids": ids, "invoiced_date": "2026-04-01", "notify": True})["status"] == 422


def test_an_unknown_or_another_practices_service_is_404_naming_them(http, office):
    unknown = str(uuid.uuid4())
    selection = [str(office["services"][0]), unknown, str(office["foreign"]), "not-an-id"]
    error = refused(http, office, {"service_ids": selection, "invoiced_date": "2026-04-01"})
    assert (error["status"], error["code"], error["param"]) == (404, "resource_missing", "service_ids")
    assert set(error["service_ids"]) == {unknown, str(office["foreign"]), "not-an-id"}
    # The other practice's service was not touched either.
    assert b.service_state([office["foreign"]]) == {str(office["foreign"]): (None, None)}


def test_a_service_on_a_rate_that_is_not_invoiced_is_422(http, office):
    selection = [str(office["services"][0]), str(office["on_insurance"])]
    error = refused(http, office, {"service_ids": selection, "invoiced_date": "2026-04-01"})
    assert (error["status"], error["code"]) == (422, "service_not_invoiceable")
    assert error["service_ids"] == [str(office["on_insurance"])]


def test_a_service_already_invoiced_or_in_another_run_is_409_and_the_whole_selection_is_refused(http, office, worker):
    practice = office["practice"]
    first, second, third = office["services"]
    b.invoice(http, practice, [first])
    before = b.service_state(office["services"])
    r = b.start_run(http, practice, [second, first])
    assert r.status_code == 409
    error = r.json()["error"]
    assert (error["code"], error["service_ids"]) == ("service_already_invoiced", [str(first)])
    assert b.service_state(office["services"]) == before  # `second` was not claimed

    # A run still waiting for the worker holds its services too.
    with session_scope() as session:
        session.add(
            InvoicingRun(
                group_id=practice.group_id,
                status="queued",
                invoiced_date=b.date_of("2026-04-01"),
                service_ids=[third],
                errors=[],
            )
        )
        session.flush()
        run_id = session.scalar(select(InvoicingRun.id).where(InvoicingRun.status == "queued"))
        session.get(Service, third).claimed_by_run_id = run_id
    r = b.start_run(http, practice, [second, third])
    assert (r.status_code, r.json()["error"]["service_ids"]) == (409, [str(third)])
    assert b.service_state([second])[str(second)] == (None, None)


def test_only_staff_start_runs_and_a_run_of_another_practice_is_404(http, office, worker):
    practice, other = office["practice"], office["other"]
    client = b.make_client(practice, "Grace Hopper", portal=True)
    body = {"service_ids": [str(office["services"][0])], "invoiced_date": "2026-04-01"}
    assert http.post("/v1/invoicing/runs", json=body).status_code == 401
    assert http.post("/v1/invoicing/runs", headers=client.portal, json=body).status_code == 403
    assert http.get("/v1/invoicing/queue", headers=client.portal).status_code == 403
    assert_nothing_changed(http, office)
    run = b.invoice(http, practice, [office["services"][0]])
    assert http.get(f"/v1/invoicing/runs/{run['id']}", headers=other.biller).status_code == 404
    assert http.get(f"/v1/invoicing/runs/{uuid.uuid4()}", headers=practice.biller).status_code == 404
    assert http.get("/v1/invoicing/runs/nope", headers=practice.biller).status_code == 404
    # Another practice's biller sees none of this practice's queue or invoices.
    assert http.get("/v1/invoicing/queue", headers=other.biller).json()["data"][0]["id"] == str(office["foreign"])
    assert http.get("/v1/invoices", headers=other.biller).json()["data"] == []
    assert http.get(f"/v1/invoices/{run['invoice_ids'][0]}", headers=other.biller).status_code == 404
    assert http.get(f"/v1/invoices/{run['invoice_ids'][0]}/pdf", headers=other.biller).status_code == 404


def test_the_queue_refuses_bad_filters(http, office):
    biller = office["practice"].biller
    assert http.get("/v1/invoicing/queue", params={"from": "2026-13-01"}, headers=biller).status_code == 422
    r = http.get("/v1/invoicing/queue", params={"from": "2026-03-05", "to": "2026-03-01"}, headers=biller)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_date_range")
    other_client = b.make_client(office["other"], "Not Yours")
    assert (
        http.get("/v1/invoicing/queue", params={"client_id": str(other_client.id)}, headers=biller).status_code == 404
    )


def test_a_total_that_would_overflow_an_invoice_is_refused_before_the_run(http, office):
    from tests.security.review import record_finding

    practice = office["practice"]
    client = b.make_client(practice, "Big Spender")
    rate = b.make_rate(practice, "Residential Program (Self-Pay)")
    million = [
        b.make_service(practice, client, rate, f"2026-03-{d:02d}", amount_cents=100_000_000) for d in range(1, 23)
    ]
    r = http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [str(s) for s in million], "invoiced_date": "2026-04-01"},
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invoice_total_too_large" and error["client_ids"] == [str(client.id)], error
    assert b.run_count() == 0
    assert set(b.service_state(million).values()) == {(None, None)}  # nothing claimed
    # Ten of them (one invoice of $10M) are fine.
    ok = http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [str(s) for s in million[:10]], "invoiced_date": "2026-04-01"},
    )
    assert ok.status_code == 202, ok.text
    record_finding(
        "invoice_total_overflow",
        "8. Currency and amounts",
        "POST /v1/invoicing/runs with 22 services of $1,000,000 for one client",
        "422 invoice_total_too_large before any run (was: a run failing 'try again' forever); 10 of them 202",
    )
