"""The practice system pushes services — one, or thousands at once — and may push the same ones again."""

from __future__ import annotations

import time

import pytest

from tests.api.db_state import claim_by_run, put_on_invoice, service_count
from tests.factories import auth, make_client_via_api, make_rate_via_api, make_service_via_api
from tests.factories.services import NOT_CENTS


@pytest.fixture
def setup(http, practice):
    client = make_client_via_api(http, practice, name="Dana")
    rate = make_rate_via_api(http, practice, name="General Service (Self-Pay)", amount_cents=15000)
    return {"client": client, "rate": rate}


def _one(setup, **fields):
    return {
        "external_id": "EHR-1",
        "client_id": setup["client"]["id"],
        "billing_rate_id": setup["rate"]["id"],
        "service_date": "2026-03-02",
        **fields,
    }


def test_a_pushed_service_takes_the_rates_amount_and_name(http, practice, setup):
    r = http.post("/v1/services", headers=practice.biller, json=_one(setup))
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["external_id"] == "EHR-1" and s["client_id"] == setup["client"]["id"]
    assert s["billing_rate_id"] == setup["rate"]["id"] and s["service_date"] == "2026-03-02"
    assert s["amount_cents"] == 15000 and s["description"] == "General Service (Self-Pay)"
    assert s["insurance_paid_cents"] == 0 and s["client_part_cents"] == 15000 and s["currency"] == "USD"
    assert s["status"] == "uninvoiced" and s["invoice_id"] is None and s["claimed"] is False
    assert s["amount_explicit"] is False


def test_a_pushed_amount_and_description_win_over_the_rates(http, practice, setup):
    r = http.post(
        "/v1/services", headers=practice.biller, json=_one(setup, amount_cents=9000, description="Family session")
    )
    assert r.status_code == 201
    assert (r.json()["amount_cents"], r.json()["description"]) == (9000, "Family session")
    assert r.json()["amount_explicit"] is True and r.json()["description_explicit"] is True


def test_pushing_the_same_service_again_answers_the_same_one(http, practice, setup):
    first = http.post("/v1/services", headers=practice.biller, json=_one(setup)).json()
    again = http.post("/v1/services", headers=practice.biller, json=_one(setup))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert service_count(practice.group_id) == 1


def test_a_repush_applies_what_changed_while_uninvoiced(http, practice, setup):
    first = http.post("/v1/services", headers=practice.biller, json=_one(setup)).json()
    other_client = make_client_via_api(http, practice, name="Sam")
    r = http.post(
        "/v1/services",
        headers=practice.biller,
        json=_one(setup, client_id=other_client["id"], service_date="2026-03-03", amount_cents=14000),
    )
    assert r.status_code == 200
    s = r.json()
    assert s["id"] == first["id"] and s["client_id"] == other_client["id"]
    assert s["service_date"] == "2026-03-03" and s["amount_cents"] == 14000
    # Leaving the amount out later does not undo it: only fields sent are applied.
    again = http.post(
        "/v1/services",
        headers=practice.biller,
        json=_one(setup, client_id=other_client["id"], service_date="2026-03-03"),
    ).json()
    assert again["amount_cents"] == 14000


def test_a_repush_onto_another_rate_redefaults_the_amount(http, practice, setup):
    http.post("/v1/services", headers=practice.biller, json=_one(setup))
    insurance = make_rate_via_api(http, practice, name="General Service", amount_cents=20000, payer="insurance")
    s = http.post("/v1/services", headers=practice.biller, json=_one(setup, billing_rate_id=insurance["id"])).json()
    assert (s["billing_rate_id"], s["amount_cents"], s["description"]) == (insurance["id"], 20000, "General Service")


@pytest.mark.parametrize("hold", ["invoice", "run"])
def test_a_repush_of_an_invoiced_or_claimed_service_changes_nothing(http, practice, setup, hold):
    first = http.post("/v1/services", headers=practice.biller, json=_one(setup)).json()
    if hold == "invoice":
        put_on_invoice(practice.group_id, [first["id"]])
    else:
        claim_by_run(practice.group_id, [first["id"]])
    r = http.post("/v1/services", headers=practice.biller, json=_one(setup, amount_cents=1, service_date="2026-01-01"))
    assert r.status_code == 200, r.text
    assert r.json()["amount_cents"] == 15000 and r.json()["service_date"] == "2026-03-02"


def test_a_repush_may_not_lower_the_amount_below_insurance_paid(http, practice, setup):
    first = http.post("/v1/services", headers=practice.biller, json=_one(setup)).json()
    http.post(
        f"/v1/services/{first['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 10000, "received_date": "2026-03-05", "reference": "EOB"},
    )
    r = http.post("/v1/services", headers=practice.biller, json=_one(setup, amount_cents=5000))
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_below_insurance_paid"
    assert http.get(f"/v1/services/{first['id']}", headers=practice.biller).json()["amount_cents"] == 15000


@pytest.mark.parametrize(
    "change, param",
    [
        *(({"amount_cents": amount}, "amount_cents") for amount in NOT_CENTS),  # null: the rate's amount
        ({"service_date": "2026-02-30"}, "service_date"),
        ({"service_date": "2026-13-01"}, "service_date"),
        ({"service_date": "03/02/2026"}, "service_date"),
        ({"service_date": "2026-03-02T10:00:00"}, "service_date"),
        ({"service_date": 0}, "service_date"),
        ({"service_date": None}, "service_date"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x" * 129}, "external_id"),
        ({"external_id": 17}, "external_id"),
        ({"description": ""}, "description"),
        ({"description": "x" * 501}, "description"),
        ({"client_id": 5}, "client_id"),
        ({"invoice_id": None}, "invoice_id"),
        ({"insurance_paid_cents": 0}, "insurance_paid_cents"),
    ],
)
def test_a_bad_service_is_refused_naming_the_field(http, practice, setup, change, param):
    r = http.post("/v1/services", headers=practice.biller, json=_one(setup, **change))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_failed" and r.json()["error"]["param"] == param
    assert service_count(practice.group_id) == 0


@pytest.mark.parametrize("missing", ["external_id", "client_id", "billing_rate_id", "service_date"])
def test_a_service_needs_its_four_fields(http, practice, setup, missing):
    body = _one(setup)
    del body[missing]
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 422 and r.json()["error"]["param"] == missing


def test_unknown_or_another_practices_client_or_rate_is_404(http, practice, other_practice, setup):
    their_client = make_client_via_api(http, other_practice)
    their_rate = make_rate_via_api(http, other_practice)
    for field, value in (
        ("client_id", their_client["id"]),
        ("client_id", "nope"),
        ("client_id", "00000000-0000-0000-0000-000000000000"),
        ("billing_rate_id", their_rate["id"]),
        ("billing_rate_id", "nope"),
    ):
        r = http.post("/v1/services", headers=practice.biller, json=_one(setup, **{field: value}))
        assert r.status_code == 404, (field, value, r.text)
        assert r.json()["error"]["code"] == "resource_missing" and r.json()["error"]["param"] == field
    assert service_count(practice.group_id) == 0


def test_two_practices_may_use_the_same_external_id(http, practice, other_practice, setup):
    mine = http.post("/v1/services", headers=practice.biller, json=_one(setup)).json()
    their_client, their_rate = make_client_via_api(http, other_practice), make_rate_via_api(http, other_practice)
    theirs = make_service_via_api(http, other_practice, their_client["id"], their_rate["id"], external_id="EHR-1")
    assert theirs["id"] != mine["id"]


# --- Bulk ---


def _bulk(setup, n, start=0, **fields):
    return {"services": [_one(setup, external_id=f"EHR-{i}", **fields) for i in range(start, start + n)]}


def test_a_bulk_push_creates_all_and_answers_them_in_order(http, practice, setup):
    r = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 3))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == 3 and body["existing"] == 0
    assert [s["external_id"] for s in body["data"]] == ["EHR-0", "EHR-1", "EHR-2"]
    assert all(s["amount_cents"] == 15000 and s["status"] == "uninvoiced" for s in body["data"])


def test_a_bulk_repush_with_new_ones_reports_the_mix(http, practice, setup):
    first = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 2)).json()
    r = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 3))
    assert r.status_code == 201
    assert (r.json()["created"], r.json()["existing"]) == (1, 2)
    assert [s["id"] for s in r.json()["data"][:2]] == [s["id"] for s in first["data"]]
    again = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 3))
    assert again.status_code == 200 and (again.json()["created"], again.json()["existing"]) == (0, 3)
    assert service_count(practice.group_id) == 3


def test_a_bulk_repush_updates_uninvoiced_and_leaves_invoiced_alone(http, practice, setup):
    first = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 2)).json()["data"]
    put_on_invoice(practice.group_id, [first[0]["id"]])
    r = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 2, amount_cents=9999))
    assert r.status_code == 200
    assert [s["amount_cents"] for s in r.json()["data"]] == [15000, 9999]
    assert [s["status"] for s in r.json()["data"]] == ["invoiced", "uninvoiced"]


@pytest.mark.parametrize(
    "body, param",
    [
        ({"services": []}, "services"),
        ({"services": None}, "services"),
        ({"services": {}}, "services"),
        ([], None),
        ("services", None),
    ],
)
def test_an_empty_or_malformed_bulk_push_is_422(http, practice, setup, body, param):
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param


def test_more_than_1000_in_one_push_is_422(http, practice, setup):
    r = http.post("/v1/services", headers=practice.biller, json=_bulk(setup, 1001))
    assert r.status_code == 422 and r.json()["error"]["param"] == "services"
    assert service_count(practice.group_id) == 0


@pytest.mark.parametrize(
    "bad, param",
    [
        ({"amount_cents": -5}, "services.2.amount_cents"),
        ({"amount_cents": 1.5}, "services.2.amount_cents"),
        ({"amount_cents": "12"}, "services.2.amount_cents"),
        ({"service_date": "2026-02-30"}, "services.2.service_date"),
        ({"nope": 1}, "services.2.nope"),
    ],
)
def test_one_bad_item_refuses_the_whole_push_naming_it(http, practice, setup, bad, param):
    body = _bulk(setup, 4)
    body["services"][2].update(bad)
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert service_count(practice.group_id) == 0


def test_an_unknown_client_or_rate_in_bulk_refuses_the_whole_push(http, practice, other_practice, setup):
    their_client = make_client_via_api(http, other_practice)
    for field, value in (("client_id", their_client["id"]), ("billing_rate_id", "missing")):
        body = _bulk(setup, 3)
        body["services"][1][field] = value
        r = http.post("/v1/services", headers=practice.biller, json=body)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["param"] == f"services.1.{field}"
    assert service_count(practice.group_id) == 0


def test_the_same_external_id_twice_in_one_push_is_422(http, practice, setup):
    body = _bulk(setup, 3)
    body["services"][2]["external_id"] = "EHR-0"
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "duplicate_external_id",
        "param": "services.2.external_id",
        "message": "external_id 'EHR-0' appears twice in this push.",
    }
    assert service_count(practice.group_id) == 0


def test_a_bulk_push_that_is_not_json_is_400(http, practice, setup):
    r = http.post(
        "/v1/services", headers={**practice.biller, "Content-Type": "application/json"}, content=b'{"services": ['
    )
    assert r.status_code == 400


def test_a_server_key_pushes_a_thousand_services_twice(http, practice, setup):
    key = http.post("/v1/api-keys", headers=practice.admin, json={"name": "EHR", "role": "biller"}).json()["key"]
    body = _bulk(setup, 1000)
    started = time.perf_counter()
    r = http.post("/v1/services", headers=auth(key), json=body)
    first_s = time.perf_counter() - started
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 1000 and len(r.json()["data"]) == 1000
    body["services"][999]["amount_cents"] = 100
    started = time.perf_counter()
    again = http.post("/v1/services", headers=auth(key), json=body)
    second_s = time.perf_counter() - started
    assert again.status_code == 200 and again.json()["existing"] == 1000
    assert again.json()["data"][999]["amount_cents"] == 100
    assert service_count(practice.group_id) == 1000
    print(f"\npush 1000 new: {first_s:.2f}s; re-push 1000 (1 changed): {second_s:.2f}s")
