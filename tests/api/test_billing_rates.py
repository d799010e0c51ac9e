"""An admin sets up billing rates; billers read them; "General Service" gets its "(Self-Pay)" twin in one click."""

from __future__ import annotations

import uuid

import pytest

from tests.api.db_state import put_on_invoice
from tests.factories import make_client_via_api, make_rate_via_api, make_service_via_api
from tests.factories.services import NOT_CENTS


def test_admin_creates_and_edits_a_rate_and_billers_read_it(http, practice):
    r = http.post(
        "/v1/billing-rates",
        headers=practice.admin,
        json={"name": "General Service", "amount_cents": 15000, "payer": "insurance"},
    )
    assert r.status_code == 201, r.text
    rate = r.json()
    assert rate["name"] == "General Service" and rate["amount_cents"] == 15000 and rate["currency"] == "USD"
    assert rate["payer"] == "insurance" and rate["needs_billing"] is False and rate["is_invoiced"] is False
    assert rate["goes_on_invoices"] is False and rate["self_pay_source_id"] is None

    r = http.patch(
        f"/v1/billing-rates/{rate['id']}", headers=practice.admin, json={"needs_billing": True, "is_invoiced": True}
    )
    assert r.status_code == 200
    assert r.json()["goes_on_invoices"] is True and r.json()["amount_cents"] == 15000

    assert http.get(f"/v1/billing-rates/{rate['id']}", headers=practice.biller).json()["is_invoiced"] is True
    make_rate_via_api(http, practice, name="Intake", payer="self_pay")
    listed = http.get("/v1/billing-rates", headers=practice.biller).json()
    assert [x["name"] for x in listed["data"]] == ["Intake", "General Service"]
    self_pay = http.get("/v1/billing-rates?payer=self_pay", headers=practice.biller).json()["data"]
    assert [x["name"] for x in self_pay] == ["Intake"]
    assert http.get("/v1/billing-rates?payer=cash", headers=practice.biller).status_code == 422


def test_a_free_rate_is_allowed(http, practice):
    assert make_rate_via_api(http, practice, amount_cents=0)["amount_cents"] == 0


@pytest.mark.parametrize(
    "change, param",
    [
        *(({"amount_cents": amount}, "amount_cents") for amount in [*NOT_CENTS, None]),
        ({"payer": "cash"}, "payer"),
        ({"payer": None}, "payer"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"needs_billing": "yes"}, "needs_billing"),
        ({"is_invoiced": 1}, "is_invoiced"),
        ({"self_pay_source_id": None}, "self_pay_source_id"),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field(http, practice, change, param):
    body = {"name": "General Service", "amount_cents": 15000, "payer": "insurance", **change}
    r = http.post("/v1/billing-rates", headers=practice.admin, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get("/v1/billing-rates", headers=practice.admin).json()["data"] == []


@pytest.mark.parametrize("missing", ["name", "amount_cents", "payer"])
def test_a_rate_needs_name_amount_and_payer(http, practice, missing):
    body = {"name": "General Service", "amount_cents": 15000, "payer": "insurance"}
    del body[missing]
    r = http.post("/v1/billing-rates", headers=practice.admin, json=body)
    assert r.status_code == 422 and r.json()["error"]["param"] == missing


@pytest.mark.parametrize(
    "change, param",
    [
        ({"amount_cents": -5}, "amount_cents"),
        ({"amount_cents": 1.5}, "amount_cents"),
        ({"amount_cents": None}, "amount_cents"),
        ({"name": None}, "name"),
        ({"payer": "insurer"}, "payer"),
        ({"needs_billing": None}, "needs_billing"),
        ({"id": "x"}, "id"),
    ],
)
def test_a_bad_rate_edit_is_refused_and_changes_nothing(http, practice, change, param):
    rate = make_rate_via_api(http, practice, name="General Service", amount_cents=15000)
    r = http.patch(f"/v1/billing-rates/{rate['id']}", headers=practice.admin, json=change)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/billing-rates/{rate['id']}", headers=practice.admin).json() == rate


def test_self_pay_copy_is_made_once(http, practice):
    source = make_rate_via_api(
        http,
        practice,
        name="General Service",
        amount_cents=15000,
        payer="insurance",
        needs_billing=False,
        is_invoiced=False,
    )
    r = http.post(f"/v1/billing-rates/{source['id']}/self-pay-copy", headers=practice.admin)
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["name"] == "General Service (Self-Pay)"
    assert copy["payer"] == "self_pay" and copy["needs_billing"] is True and copy["is_invoiced"] is True
    assert copy["amount_cents"] == 15000 and copy["self_pay_source_id"] == source["id"]
    assert copy["goes_on_invoices"] is True

    again = http.post(f"/v1/billing-rates/{source['id']}/self-pay-copy", headers=practice.admin)
    assert again.status_code == 200 and again.json()["id"] == copy["id"]
    assert len(http.get("/v1/billing-rates", headers=practice.admin).json()["data"]) == 2
    # The source is untouched.
    assert http.get(f"/v1/billing-rates/{source['id']}", headers=practice.admin).json() == source


def test_a_self_pay_rate_has_no_self_pay_copy(http, practice):
    rate = make_rate_via_api(http, practice, payer="self_pay")
    r = http.post(f"/v1/billing-rates/{rate['id']}/self-pay-copy", headers=practice.admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "rate_already_self_pay"


def test_a_long_name_still_fits_with_the_suffix(http, practice):
    rate = make_rate_via_api(http, practice, name="N" * 200, payer="insurance")
    copy = http.post(f"/v1/billing-rates/{rate['id']}/self-pay-copy", headers=practice.admin).json()
    assert len(copy["name"]) == 200 and copy["name"].endswith(" (Self-Pay)")


def test_another_practices_rate_or_a_made_up_id_is_404(http, practice, other_practice):
    theirs = make_rate_via_api(http, other_practice, payer="insurance")
    for rate_id in (theirs["id"], "nope", "00000000-0000-0000-0000-000000000000"):
        for method, path, body in (
            ("GET", f"/v1/billing-rates/{rate_id}", None),
            ("PATCH", f"/v1/billing-rates/{rate_id}", {"amount_cents": 1}),
            ("POST", f"/v1/billing-rates/{rate_id}/self-pay-copy", None),
        ):
            r = http.request(method, path, headers=practice.admin, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["code"] == "resource_missing"
    assert http.get(f"/v1/billing-rates/{theirs['id']}", headers=other_practice.admin).json()["amount_cents"] == 12000


def test_uninvoiced_services_follow_a_rate_price_change_unless_their_amount_was_given(http, practice):
    client = make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice, name="Session", amount_cents=10000)
    following = make_service_via_api(http, practice, client["id"], rate["id"])
    given = make_service_via_api(
        http, practice, client["id"], rate["id"], amount_cents=8000, description="Long session"
    )
    invoiced = make_service_via_api(http, practice, client["id"], rate["id"])
    put_on_invoice(practice.group_id, [invoiced["id"]])

    r = http.patch(
        f"/v1/billing-rates/{rate['id']}",
        headers=practice.admin,
        json={"amount_cents": 11000, "name": "Therapy session"},
    )
    assert r.status_code == 200

    def get(s):
        return http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()

    assert (get(following)["amount_cents"], get(following)["description"]) == (11000, "Therapy session")
    assert (get(given)["amount_cents"], get(given)["description"]) == (8000, "Long session")
    assert (get(invoiced)["amount_cents"], get(invoiced)["description"]) == (10000, "Session")


def test_a_price_cut_below_insurance_already_paid_is_refused(http, practice):
    client = make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice, amount_cents=10000)
    service = make_service_via_api(http, practice, client["id"], rate["id"])
    http.post(
        f"/v1/services/{service['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 6000, "received_date": "2026-03-10", "reference": "EOB-1"},
    )
    r = http.patch(f"/v1/billing-rates/{rate['id']}", headers=practice.admin, json={"amount_cents": 5000})
    assert r.status_code == 409 and r.json()["error"]["code"] == "amount_below_insurance_paid"
    assert http.get(f"/v1/billing-rates/{rate['id']}", headers=practice.admin).json()["amount_cents"] == 10000
    assert (
        http.patch(f"/v1/billing-rates/{rate['id']}", headers=practice.admin, json={"amount_cents": 6000}).status_code
        == 200
    )


def test_a_practice_currency_must_be_a_real_iso_4217_money_code_and_dates_sane(http):
    from tests.factories import auth, make_practice_via_api
    from tests.security.review import record_finding

    practice = make_practice_via_api(http)
    refused = {}
    for code in ("ABC", "XAU", "XTS", "XXX", "US"):
        r = http.post(
            "/v1/groups",
            headers=auth(practice.operator_token),
            json={
                "name": "Odd Money",
                "currency": code,
                "admin_email": f"{code}@odd.example",
                "admin_password": "velvet-canyon-mosaic",
            },
        )
        assert r.status_code == 422 and r.json()["error"]["param"] == "currency", (code, r.text)
        refused[code] = r.status_code
    ok = http.post(
        "/v1/groups",
        headers=auth(practice.operator_token),
        json={
            "name": "Yen Practice",
            "currency": "jpy",
            "admin_email": "yen@odd.example",
            "admin_password": "velvet-canyon-mosaic",
        },
    )
    assert ok.status_code == 201 and ok.json()["currency"] == "JPY", ok.text
    for bad in ("0001-01-01", "9999-12-31", "1899-06-01"):
        r = http.post(
            f"/v1/invoices/{uuid.uuid4()}/payments",
            headers=practice.biller,
            json={"amount_cents": 100, "method": "cash", "received_date": bad},
        )
        assert r.status_code == 422 and r.json()["error"]["param"] == "received_date", (bad, r.text)
    record_finding(
        "currency_and_dates",
        "8. Currency and amounts",
        "POST /v1/groups currency ABC / XAU / XTS / XXX; a payment received 9999-12-31",
        "422 validation_failed param=currency (JPY accepted); 422 param=received_date",
    )
