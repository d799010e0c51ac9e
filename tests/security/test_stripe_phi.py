"""Nothing clinical goes to Stripe: every call our servers make is recorded on the wire and checked.

A practice bills a service whose rate and description are clinical — a therapy, a diagnosis code,
a session note — invoices it, the client pays it by card in the portal, and a reconciliation runs.
Every request that reached Stripe's stand-in (tests/stripe_recorder.py) may carry only the
allow-listed fields (amounts, currency, customer, payment method, our ids and the invoice number
in metadata, the client's name and email), and no value may contain the clinical text.
The whole run's Stripe traffic gets the same field check at the end (test_zz_no_secrets_leak.py).
"""

from __future__ import annotations

import time

from tests import capture
from tests.conftest import poll_until
from tests.faults.record import record_scenario
from tests.invoicing.builders import wait_for_run
from tests.stripe.browser import confirm_card_setup
from tests.stripe.builders import make_paying_client
from tests.stripe_recorder import phi_violations, recorded_calls

RATE_NAME = "Trauma-focused CBT (Self-Pay)"
DIAGNOSIS = "F43.10"
NOTE = "Session note: client disclosed panic attacks, follow up on sleep"
DESCRIPTION = f"{NOTE}. Dx {DIAGNOSIS} PTSD"


def _line_count() -> int:
    path = capture.STRIPE_REQUESTS
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_a_card_payment_for_a_clinical_service_tells_stripe_nothing_clinical(http, localstripe, worker):  # noqa: ANN001
    since = _line_count()
    started = time.perf_counter()
    paying = make_paying_client(http, localstripe.url, name="Morgan Client")
    practice = paying.practice
    rate = http.post("/v1/billing-rates", headers=practice.admin, json={
        "name": RATE_NAME, "amount_cents": 14_000, "payer": "self_pay", "needs_billing": True,
        "is_invoiced": True}).json()
    service = http.post("/v1/services", headers=practice.biller, json={
        "external_id": "ehr-visit-1", "client_id": paying.client_id, "billing_rate_id": rate["id"],
        "service_date": "2026-03-02", "description": DESCRIPTION}).json()
    r = http.post("/v1/invoicing/runs", headers=practice.biller,
                  json={"service_ids": [service["id"]], "invoiced_date": "2026-03-31"})
    assert r.status_code == 202, r.text
    run = wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    [invoice_id] = run["invoice_ids"]
    detail = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()
    assert DESCRIPTION in [line["description"] for line in detail["lines"]]  # the clinical text is ours to keep

    started_payment = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    confirm_card_setup(started_payment, payment_method="pm_card_visa")
    confirmed = http.post(f"/v1/portal/payments/{started_payment['payment_id']}/confirm", headers=paying.headers)
    assert confirmed.json()["status"] == "succeeded", confirmed.text
    rec = http.post("/v1/reconciliations", headers=practice.biller).json()
    poll_until(lambda: http.get(f"/v1/reconciliations/{rec['id']}", headers=practice.biller).json()["status"]
               in ("succeeded", "failed"), message="the reconciliation to finish")

    calls = recorded_calls(since)
    paths = {(c["method"], c["path"].split("/")[2]) for c in calls}
    assert {("POST", "customers"), ("POST", "setup_intents"), ("POST", "payment_intents")} <= paths, paths
    forbidden = [RATE_NAME, "Trauma", "CBT", DIAGNOSIS, "PTSD", NOTE, "panic", "Session note", practice.name]
    violations = phi_violations(calls, forbidden)
    [created] = [c for c in calls if c["method"] == "POST" and c["path"] == "/v1/payment_intents"]
    fields = dict(created["fields"])
    record_scenario("phi_to_stripe", load={"stripe_calls": len(calls)},
                    faults=["a clinical rate name, description, diagnosis code and session note on the invoice paid"],
                    lost={"fields_or_values_not_allowed": len(violations)},
                    notes="; ".join(violations) or "only amounts, currency, customer, payment method, our ids "
                                                    "and the invoice number; the client's name and email",
                    title="What Stripe is told about a clinical service", duration_s=time.perf_counter() - started)
    assert not violations, violations
    assert fields["metadata[invoice_number]"] == detail["number"]
    assert fields["metadata[invoice_id]"] == invoice_id and "description" not in fields
    assert all(c["idempotency_key"] for c in calls if c["method"] == "POST" and c["path"].count("/") == 2)
