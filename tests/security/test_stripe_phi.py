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
from tests.factories import make_paying_client
from tests.faults.record import record_scenario
from tests.security.clinical import DIAGNOSIS, NOTE, RATE_NAME, invoice_a_clinical_service
from tests.stripe.browser import pay, start_payment
from tests.stripe_recorder import phi_violations, recorded_calls


def _line_count() -> int:
    path = capture.STRIPE_REQUESTS
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_a_card_payment_for_a_clinical_service_tells_stripe_nothing_clinical(http, localstripe, worker):
    since = _line_count()
    started = time.perf_counter()
    paying = make_paying_client(http, localstripe.url, name="Morgan Client")
    practice = paying.practice
    invoice_id = invoice_a_clinical_service(http, paying)
    detail = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()

    started_payment = start_payment(http, paying.headers, invoice_id)
    confirmed = pay(http, paying.headers, started_payment, payment_method="pm_card_visa")
    assert confirmed.json()["status"] == "succeeded", confirmed.text
    rec = http.post("/v1/reconciliations", headers=practice.biller).json()
    poll_until(
        lambda: (
            http.get(f"/v1/reconciliations/{rec['id']}", headers=practice.biller).json()["status"]
            in ("succeeded", "failed")
        ),
        message="the reconciliation to finish",
    )

    calls = recorded_calls(since)
    paths = {(c["method"], c["path"].split("/")[2]) for c in calls}
    assert {("POST", "customers"), ("GET", "confirmation_tokens"), ("POST", "payment_intents")} <= paths, paths
    forbidden = [RATE_NAME, "Trauma", "CBT", DIAGNOSIS, "PTSD", NOTE, "panic", "Session note", practice.name]
    violations = phi_violations(calls, forbidden)
    [created] = [c for c in calls if c["method"] == "POST" and c["path"] == "/v1/payment_intents"]
    fields = dict(created["fields"])
    record_scenario(
        "phi_to_stripe",
        load={"stripe_calls": len(calls)},
        faults=["a clinical rate name, description, diagnosis code and session note on the invoice paid"],
        lost={"fields_or_values_not_allowed": len(violations)},
        notes="; ".join(violations)
        or "only amounts, currency, customer, payment method, our ids "
        "and the invoice number; the client's name and email",
        title="What Stripe is told about a clinical service",
        duration_s=time.perf_counter() - started,
    )
    assert not violations, violations
    assert fields["metadata[invoice_number]"] == detail["number"]
    assert fields["metadata[invoice_id]"] == invoice_id and "description" not in fields
    assert all(c["idempotency_key"] for c in calls if c["method"] == "POST" and c["path"].count("/") == 2)
