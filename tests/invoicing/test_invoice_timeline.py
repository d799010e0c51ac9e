"""An invoice's timeline: issued, emailed, payments recorded and reversed, voided — each with who did
it, oldest first — and only for the practice's own staff."""

from __future__ import annotations

from tests import factories as b
from tests.conftest import poll_until


def _timeline(http, practice, invoice_id, headers=None):
    r = http.get(f"/v1/invoices/{invoice_id}/timeline", headers=headers or practice.biller)
    assert r.status_code == 200, r.text
    return r.json()


def _pay(http, practice, invoice_id, amount, method="check", **extra):
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": amount, "method": method, "received_date": "2026-04-05", **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_the_timeline_tells_the_invoices_story_in_order(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    rate = b.make_rate(practice, amount_cents=12_500, name="Psychotherapy 53 min")
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    services = [b.make_service(practice, ada, rate, "2026-03-02"), b.make_service(practice, ada, rate, "2026-03-09")]
    [invoice_id] = b.invoice(http, practice, services)["invoice_ids"]

    first = _pay(http, practice, invoice_id, 10_000, reference="chk-1042")
    mistake = _pay(http, practice, invoice_id, 5_000, method="cash")
    r = http.post(f"/v1/payments/{mistake['id']}/reverse", headers=practice.biller, json={"reason": "entered twice"})
    assert r.status_code == 200, r.text

    # The emails are sent by the worker; the timeline shows each once it has gone.
    poll_until(
        lambda: sum(e["summary"].endswith(" sent") for e in _timeline(http, practice, invoice_id)["data"]) >= 2,
        timeout=30,
        message="the invoice email and the receipt were sent",
    )
    timeline = _timeline(http, practice, invoice_id)
    assert timeline["has_more"] is False
    entries = timeline["data"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    actions = [e["action"] for e in entries]
    assert actions[0] == "invoice.issued"
    for action in ("payment.recorded", "payment.reversed", "email.invoice_issued", "email.payment_receipt"):
        assert action in actions, actions
    # Each recorded payment once: the invoice's own twin records do not repeat it.
    assert actions.count("payment.recorded") == 2
    assert "invoice.payment_recorded" not in actions and "invoice.payment_reversed" not in actions

    by_action = {}
    for e in entries:
        by_action.setdefault(e["action"], []).append(e)
    issued = by_action["invoice.issued"][0]
    assert issued["amount_cents"] == 25_000 and "$250.00" in issued["summary"]
    recorded = next(e for e in by_action["payment.recorded"] if e["amount_cents"] == 10_000)
    assert (
        "Check payment of $100.00 recorded (received April 5, 2026)" in recorded["summary"]
        and "chk-1042" in recorded["summary"]
    )
    reversed_ = by_action["payment.reversed"][0]
    assert "$50.00" in reversed_["summary"] and "entered twice" in reversed_["summary"]
    # Who did it: the biller who signed in, by their login.
    biller_email = http.get("/v1/me", headers=practice.biller).json()["email"]
    assert recorded["actor"] == biller_email and reversed_["actor"] == biller_email
    assert by_action["email.invoice_issued"][0]["actor"] == "clinicpay"
    # Nothing clinical in it: the services' descriptions and the rate's name stay on the invoice's lines.
    text = str(entries)
    assert "Psychotherapy" not in text
    assert first["id"]  # the payments exist as the API answered them


def test_voiding_shows_on_the_timeline(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    rate = b.make_rate(practice, amount_cents=9_000)
    grace = b.make_client(practice, "Grace Hopper", portal=True)
    [invoice_id] = b.invoice(http, practice, [b.make_service(practice, grace, rate, "2026-03-03")])["invoice_ids"]
    r = http.post(f"/v1/invoices/{invoice_id}/void", headers=practice.biller)
    assert r.status_code == 200, r.text
    voided = [e for e in _timeline(http, practice, invoice_id)["data"] if e["action"] == "invoice.voided"]
    assert len(voided) == 1 and "1 service(s) back in the invoicing queue" in voided[0]["summary"]


def test_another_practice_and_the_client_cannot_read_the_timeline(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    other = b.make_practice(staff=True, name="Other Practice")
    rate = b.make_rate(practice, amount_cents=9_000)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    [invoice_id] = b.invoice(http, practice, [b.make_service(practice, ada, rate, "2026-03-03")])["invoice_ids"]
    assert http.get(f"/v1/invoices/{invoice_id}/timeline", headers=other.biller).status_code == 404
    assert http.get(f"/v1/invoices/{invoice_id}/timeline", headers=other.admin).status_code == 404
    assert http.get(f"/v1/invoices/{invoice_id}/timeline", headers=ada.portal).status_code == 403
    assert http.get("/v1/invoices/not-a-uuid/timeline", headers=practice.biller).status_code == 404


def test_a_retried_part_payment_with_its_key_is_recorded_once(http, worker):
    """The page sends an Idempotency-Key with each filled-in form: a retry after a lost answer (or a double
    click) records one part payment, where without a key the second would be a second payment."""
    practice = b.make_practice(staff=True, name="Calm Therapy")
    rate = b.make_rate(practice, amount_cents=9_000)
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    [invoice_id] = b.invoice(http, practice, [b.make_service(practice, ada, rate, "2026-03-03")])["invoice_ids"]
    body = {"amount_cents": 3_000, "method": "cash", "received_date": "2026-04-05"}
    headers = {**practice.biller, "Idempotency-Key": "record-3000-once"}
    first = http.post(f"/v1/invoices/{invoice_id}/payments", headers=headers, json=body)
    again = http.post(f"/v1/invoices/{invoice_id}/payments", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()
    assert (invoice["paid_cents"], invoice["balance_cents"], len(invoice["payments"])) == (3_000, 6_000, 1)
    # The same key with another amount is a mistake, not a replay.
    changed = http.post(f"/v1/invoices/{invoice_id}/payments", headers=headers, json={**body, "amount_cents": 1_000})
    assert (changed.status_code, changed.json()["error"]["code"]) == (422, "idempotency_key_reused"), changed.text
    assert len(http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["payments"]) == 1
