"""A biller finds services, flips them between rates, and records insurance received before invoicing."""

from __future__ import annotations

import pytest

from tests.api.db_state import claim_by_run, put_on_invoice
from tests.factories import make_client_via_api, make_rate_via_api, make_service_via_api


@pytest.fixture
def setup(http, practice):
    client = make_client_via_api(http, practice, name="Dana")
    insurance = make_rate_via_api(
        http,
        practice,
        name="General Service",
        amount_cents=20000,
        payer="insurance",
        needs_billing=False,
        is_invoiced=False,
    )
    self_pay = http.post(f"/v1/billing-rates/{insurance['id']}/self-pay-copy", headers=practice.admin).json()
    service = make_service_via_api(http, practice, client["id"], insurance["id"])
    return {"client": client, "insurance": insurance, "self_pay": self_pay, "service": service}


def _payment(**fields):
    return {"amount_cents": 5000, "method": "insurance", "received_date": "2026-03-10", "reference": "EOB-77", **fields}


# --- Finding services ---


def test_services_list_by_client_and_status(http, practice, setup):
    other = make_client_via_api(http, practice, name="Sam")
    rate = setup["self_pay"]["id"]
    open_one = make_service_via_api(http, practice, setup["client"]["id"], rate)
    paid_one = make_service_via_api(http, practice, setup["client"]["id"], rate)
    sams = make_service_via_api(http, practice, other["id"], rate)
    invoice_id = put_on_invoice(practice.group_id, [open_one["id"]], status="partially_paid")
    put_on_invoice(practice.group_id, [paid_one["id"]], status="paid")

    def ids(query: str) -> list[str]:
        r = http.get(f"/v1/services{query}", headers=practice.biller)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["data"]]

    assert ids("") == [sams["id"], paid_one["id"], open_one["id"], setup["service"]["id"]]
    assert ids(f"?client_id={other['id']}") == [sams["id"]]
    assert ids("?status=uninvoiced") == [sams["id"], setup["service"]["id"]]
    assert ids("?status=invoiced") == [open_one["id"]]
    assert ids("?status=paid") == [paid_one["id"]]
    assert ids(f"?status=uninvoiced&client_id={setup['client']['id']}") == [setup["service"]["id"]]
    shown = http.get(f"/v1/services/{open_one['id']}", headers=practice.biller).json()
    assert shown["status"] == "invoiced" and shown["invoice_id"] == invoice_id


def test_services_list_pages(http, practice, setup):
    more = [make_service_via_api(http, practice, setup["client"]["id"], setup["self_pay"]["id"]) for _ in range(2)]
    page = http.get("/v1/services?limit=2", headers=practice.biller).json()
    assert [s["id"] for s in page["data"]] == [more[1]["id"], more[0]["id"]] and page["has_more"] is True
    rest = http.get(f"/v1/services?limit=2&starting_after={more[0]['id']}", headers=practice.biller).json()
    assert [s["id"] for s in rest["data"]] == [setup["service"]["id"]] and rest["has_more"] is False


@pytest.mark.parametrize(
    "query, status, param",
    [
        ("?status=open", 422, "status"),
        ("?limit=0", 422, "limit"),
        ("?limit=abc", 422, "limit"),
        ("?client_id=nope", 404, "client_id"),
        ("?starting_after=00000000-0000-0000-0000-000000000000", 404, "starting_after"),
    ],
)
def test_bad_service_list_queries(http, practice, setup, query, status, param):
    r = http.get(f"/v1/services{query}", headers=practice.biller)
    assert r.status_code == status, r.text
    assert r.json()["error"]["param"] == param


def test_another_practices_client_filter_or_service_is_404(http, practice, other_practice, setup):
    their_client = make_client_via_api(http, other_practice)
    their_service = make_service_via_api(
        http, other_practice, their_client["id"], make_rate_via_api(http, other_practice)["id"]
    )
    r = http.get(f"/v1/services?client_id={their_client['id']}", headers=practice.biller)
    assert r.status_code == 404
    for method, path, body in (
        ("GET", f"/v1/services/{their_service['id']}", None),
        ("PATCH", f"/v1/services/{their_service['id']}", {"amount_cents": 1}),
        ("POST", f"/v1/services/{their_service['id']}/payments", _payment()),
        ("GET", "/v1/services/nope", None),
    ):
        r = http.request(method, path, headers=practice.biller, json=body)
        assert r.status_code == 404, (method, path, r.text)
    assert [s["id"] for s in http.get("/v1/services", headers=practice.biller).json()["data"]] == [
        setup["service"]["id"]
    ]
    assert (
        http.get(f"/v1/services/{their_service['id']}", headers=other_practice.biller).json()["amount_cents"] == 12000
    )


# --- Flipping and editing ---


def test_flipping_to_the_self_pay_rate_redefaults_amount_and_description(http, practice, setup):
    s = setup["service"]
    assert (s["amount_cents"], s["description"]) == (20000, "General Service")
    cheaper = make_rate_via_api(http, practice, name="Short Session (Self-Pay)", amount_cents=9000)
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"billing_rate_id": cheaper["id"]})
    assert r.status_code == 200, r.text
    assert (r.json()["billing_rate_id"], r.json()["amount_cents"], r.json()["description"]) == (
        cheaper["id"],
        9000,
        "Short Session (Self-Pay)",
    )
    back = http.patch(
        f"/v1/services/{s['id']}", headers=practice.biller, json={"billing_rate_id": setup["self_pay"]["id"]}
    ).json()
    assert (back["amount_cents"], back["description"]) == (20000, "General Service (Self-Pay)")


def test_a_given_amount_survives_a_flip_until_set_back_to_the_rate(http, practice, setup):
    s = setup["service"]
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"amount_cents": 17500})
    assert r.json()["amount_cents"] == 17500 and r.json()["amount_explicit"] is True
    flipped = http.patch(
        f"/v1/services/{s['id']}", headers=practice.biller, json={"billing_rate_id": setup["self_pay"]["id"]}
    ).json()
    assert flipped["amount_cents"] == 17500 and flipped["description"] == "General Service (Self-Pay)"
    both = http.patch(
        f"/v1/services/{s['id']}",
        headers=practice.biller,
        json={"billing_rate_id": setup["insurance"]["id"], "amount_cents": 100},
    ).json()
    assert both["amount_cents"] == 100
    reset = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"amount_cents": None}).json()
    assert reset["amount_cents"] == 20000 and reset["amount_explicit"] is False


def test_biller_edits_description_and_date(http, practice, setup):
    s = setup["service"]
    r = http.patch(
        f"/v1/services/{s['id']}",
        headers=practice.biller,
        json={"description": "Couples session", "service_date": "2026-03-04"},
    )
    assert (r.json()["description"], r.json()["service_date"]) == ("Couples session", "2026-03-04")
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"description": None})
    assert r.json()["description"] == "General Service"


def test_an_empty_edit_changes_nothing(http, practice, setup):
    r = http.patch(f"/v1/services/{setup['service']['id']}", headers=practice.biller, json={})
    assert r.status_code == 200 and r.json()["amount_cents"] == 20000


@pytest.mark.parametrize("hold", ["invoice", "run"])
def test_an_invoiced_or_claimed_service_cannot_be_flipped(http, practice, setup, hold):
    s = setup["service"]
    if hold == "invoice":
        put_on_invoice(practice.group_id, [s["id"]])
    else:
        claim_by_run(practice.group_id, [s["id"]])
    for body in ({"billing_rate_id": setup["self_pay"]["id"]}, {"amount_cents": 1}, {"description": "x"}):
        r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json=body)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "service_already_invoiced"
    shown = http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()
    assert shown["amount_cents"] == 20000 and shown["billing_rate_id"] == setup["insurance"]["id"]
    assert shown["claimed"] is (hold == "run")


@pytest.mark.parametrize(
    "body, param",
    [
        ({"amount_cents": -1}, "amount_cents"),
        ({"amount_cents": 99.5}, "amount_cents"),
        ({"amount_cents": "5"}, "amount_cents"),
        ({"amount_cents": 10**10}, "amount_cents"),
        ({"billing_rate_id": None}, "billing_rate_id"),
        ({"billing_rate_id": 7}, "billing_rate_id"),
        ({"service_date": "2026-02-30"}, "service_date"),
        ({"service_date": None}, "service_date"),
        ({"description": ""}, "description"),
        ({"client_id": "x"}, "client_id"),
        ({"invoice_id": None}, "invoice_id"),
    ],
)
def test_a_bad_edit_is_refused_and_changes_nothing(http, practice, setup, body, param):
    s = setup["service"]
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()["amount_cents"] == 20000


def test_flipping_to_another_practices_or_an_unknown_rate_is_404(http, practice, other_practice, setup):
    their_rate = make_rate_via_api(http, other_practice)
    for rate_id in (their_rate["id"], "nope", "00000000-0000-0000-0000-000000000000"):
        r = http.patch(
            f"/v1/services/{setup['service']['id']}", headers=practice.biller, json={"billing_rate_id": rate_id}
        )
        assert r.status_code == 404 and r.json()["error"]["param"] == "billing_rate_id"


# --- Insurance received before invoicing ---


def test_insurance_payments_leave_the_client_part(http, practice, setup):
    s = setup["service"]
    r = http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment())
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["amount_cents"], p["method"], p["received_date"], p["reference"], p["status"]) == (
        5000,
        "insurance",
        "2026-03-10",
        "EOB-77",
        "succeeded",
    )
    assert p["service"]["insurance_paid_cents"] == 5000 and p["service"]["client_part_cents"] == 15000
    http.post(
        f"/v1/services/{s['id']}/payments",
        headers=practice.biller,
        json=_payment(amount_cents=3000, reference=None, received_date="2026-03-12"),
    )
    shown = http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()
    assert shown["insurance_paid_cents"] == 8000 and shown["client_part_cents"] == 12000
    assert [x["amount_cents"] for x in shown["payments"]] == [3000, 5000]
    # Method defaults to insurance, and insurance may pay the whole service.
    r = http.post(
        f"/v1/services/{s['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 12000, "received_date": "2026-03-13"},
    )
    assert r.status_code == 201 and r.json()["service"]["client_part_cents"] == 0


def test_insurance_cannot_pay_more_than_the_service(http, practice, setup):
    s = setup["service"]
    http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment(amount_cents=15000))
    r = http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment(amount_cents=5001))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "amount_exceeds_balance" and r.json()["error"]["param"] == "amount_cents"
    assert http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()["insurance_paid_cents"] == 15000


def test_the_amount_cannot_be_lowered_below_insurance_paid(http, practice, setup):
    s = setup["service"]
    http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment(amount_cents=15000))
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"amount_cents": 14999})
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_below_insurance_paid"
    cheap = make_rate_via_api(http, practice, amount_cents=100)
    r = http.patch(f"/v1/services/{s['id']}", headers=practice.biller, json={"billing_rate_id": cheap["id"]})
    assert r.status_code == 422
    assert (
        http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()["billing_rate_id"]
        == setup["insurance"]["id"]
    )


@pytest.mark.parametrize(
    "change, param",
    [
        ({"amount_cents": 0}, "amount_cents"),
        ({"amount_cents": -100}, "amount_cents"),
        ({"amount_cents": 10.5}, "amount_cents"),
        ({"amount_cents": "100"}, "amount_cents"),
        ({"amount_cents": None}, "amount_cents"),
        ({"method": "cash"}, "method"),
        ({"method": "card"}, "method"),
        ({"received_date": "2026-02-30"}, "received_date"),
        ({"received_date": "yesterday"}, "received_date"),
        ({"received_date": None}, "received_date"),
        ({"reference": "x" * 201}, "reference"),
        ({"status": "succeeded"}, "status"),
    ],
)
def test_a_bad_insurance_payment_is_refused(http, practice, setup, change, param):
    s = setup["service"]
    r = http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment(**change))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == param
    assert http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()["payments"] == []


@pytest.mark.parametrize("hold", ["invoice", "run"])
def test_no_insurance_payment_on_an_invoiced_service(http, practice, setup, hold):
    s = setup["service"]
    if hold == "invoice":
        put_on_invoice(practice.group_id, [s["id"]])
    else:
        claim_by_run(practice.group_id, [s["id"]])
    r = http.post(f"/v1/services/{s['id']}/payments", headers=practice.biller, json=_payment())
    assert r.status_code == 409 and r.json()["error"]["code"] == "service_already_invoiced"
    assert http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()["insurance_paid_cents"] == 0


def test_a_retried_insurance_payment_is_recorded_once(http, practice, setup):
    s = setup["service"]
    headers = {**practice.biller, "Idempotency-Key": "eob-77"}
    first = http.post(f"/v1/services/{s['id']}/payments", headers=headers, json=_payment())
    retry = http.post(f"/v1/services/{s['id']}/payments", headers=headers, json=_payment())
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.headers["Idempotent-Replayed"] == "true"
    shown = http.get(f"/v1/services/{s['id']}", headers=practice.biller).json()
    assert shown["insurance_paid_cents"] == 5000 and len(shown["payments"]) == 1
    # The same key on another service is a different write, not a replay.
    other = make_service_via_api(http, practice, setup["client"]["id"], setup["self_pay"]["id"])
    r = http.post(f"/v1/services/{other['id']}/payments", headers=headers, json=_payment())
    assert r.status_code == 201 and r.json()["service_id"] == other["id"]
