"""A practice's clinical text, and a service that carries it invoiced for a paying client: what the
checks that nothing clinical leaves the clinic (to Stripe, in emails) stand on."""

from __future__ import annotations

from tests.factories import PayingClient, wait_for_run

RATE_NAME = "Trauma-focused CBT (Self-Pay)"
DIAGNOSIS = "F43.10"
NOTE = "Session note: client disclosed panic attacks, follow up on sleep"
DESCRIPTION = f"{NOTE}. Dx {DIAGNOSIS} PTSD"
# Every piece of it a leak could show.
CLINICAL = [RATE_NAME, "Trauma", "CBT", DIAGNOSIS, "PTSD", NOTE, "panic", "Session note", "sleep"]


def invoice_a_clinical_service(http, paying: PayingClient, amount_cents: int = 14_000) -> str:
    """The practice bills a service on a clinical rate with a clinical description. Returns the invoice id."""
    practice = paying.practice
    rate = http.post(
        "/v1/billing-rates",
        headers=practice.admin,
        json={"name": RATE_NAME, "amount_cents": amount_cents, "payer": "self_pay", "needs_billing": True,
              "is_invoiced": True},
    ).json()  # fmt: skip
    service = http.post(
        "/v1/services",
        headers=practice.biller,
        json={
            "external_id": "ehr-visit-1",
            "client_id": paying.client_id,
            "billing_rate_id": rate["id"],
            "service_date": "2026-03-02",
            "description": DESCRIPTION,
        },
    ).json()
    r = http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [service["id"]], "invoiced_date": "2026-03-31"},
    )
    assert r.status_code == 202, r.text
    run = wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    [invoice_id] = run["invoice_ids"]
    detail = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()
    assert DESCRIPTION in [line["description"] for line in detail["lines"]]  # the clinical text is ours to keep
    return invoice_id
