"""A biller invoices the month's self-pay services, a client sees them, a check arrives."""

from __future__ import annotations

from tests import factories as b
from tests.factories import pdf_text


def test_biller_invoices_the_queue_and_marks_a_check_received(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    ada = b.make_client(practice, "Ada Lovelace", portal=True)
    grace = b.make_client(practice, "Grace Hopper", portal=True)
    self_pay = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    insurance = b.make_rate(practice, "General Service", 15_000, is_invoiced=False, payer="insurance")
    not_billed = b.make_rate(practice, "Free Consultation", 0, needs_billing=False)
    ada_1 = b.make_service(practice, ada, self_pay, "2026-03-02")
    ada_2 = b.make_service(practice, ada, self_pay, "2026-03-09", insurance_paid_cents=5_000)
    grace_1 = b.make_service(practice, grace, self_pay, "2026-03-03", amount_cents=12_345)
    b.make_service(practice, ada, insurance, "2026-03-04")
    b.make_service(practice, grace, not_billed, "2026-03-05")

    # The Invoices tab shows only the self-pay, invoiced services, with names to read.
    queue = http.get("/v1/invoicing/queue", headers=practice.biller).json()
    assert {row["id"] for row in queue["data"]} == {str(ada_1), str(ada_2), str(grace_1)}
    assert queue["has_more"] is False
    row = next(r for r in queue["data"] if r["id"] == str(ada_2))
    assert (row["client_name"], row["billing_rate_name"], row["client_part_cents"]) == (
        "Ada Lovelace",
        "General Service (Self-Pay)",
        10_000,
    )
    only_grace = http.get("/v1/invoicing/queue", params={"client_id": str(grace.id)}, headers=practice.biller).json()
    assert [r["id"] for r in only_grace["data"]] == [str(grace_1)]
    early_march = http.get(
        "/v1/invoicing/queue", params={"from": "2026-03-01", "to": "2026-03-03"}, headers=practice.biller
    ).json()
    assert {r["id"] for r in early_march["data"]} == {str(ada_1), str(grace_1)}

    # She selects them, enters the invoiced date, and waits for the run.
    r = b.start_run(http, practice, [ada_1, ada_2, grace_1], "2026-04-01")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    run = b.wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    assert run["service_count"] == 3 and len(run["invoice_ids"]) == 2 and run["errors"] == []

    # One invoice per client, numbered in client-name order, on the Invoiced tab.
    listed = http.get("/v1/invoices", headers=practice.biller).json()["data"]
    by_client = {i["client_name"]: i for i in listed}
    assert set(by_client) == {"Ada Lovelace", "Grace Hopper"}
    ada_invoice, grace_invoice = by_client["Ada Lovelace"], by_client["Grace Hopper"]
    assert (ada_invoice["number"], grace_invoice["number"]) == ("INV-000001", "INV-000002")
    assert ada_invoice["total_cents"] == 15_000 + 10_000 and ada_invoice["status"] == "open"
    assert ada_invoice["invoiced_date"] == "2026-04-01" and ada_invoice["currency"] == "USD"
    detail = http.get(f"/v1/invoices/{ada_invoice['id']}", headers=practice.biller).json()
    assert [
        (ln["service_date"], ln["amount_cents"], ln["insurance_paid_cents"], ln["client_part_cents"])
        for ln in detail["lines"]
    ] == [("2026-03-02", 15_000, 0, 15_000), ("2026-03-09", 15_000, 5_000, 10_000)]
    assert detail["balance_cents"] == 25_000 and detail["payments"] == []

    # The queue is empty now; the insurance service is still not on it.
    assert http.get("/v1/invoicing/queue", headers=practice.biller).json()["data"] == []

    # The PDF says who, which number, and how much.
    pdf = http.get(f"/v1/invoices/{grace_invoice['id']}/pdf", headers=practice.biller)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'inline; filename="INV-000002.pdf"'
    text = pdf_text(pdf.content)
    assert "INV-000002" in text and "Grace Hopper" in text and "$123.45" in text and "Calm Therapy" in text
    assert "Pay online in your client portal" in text or "client portal" in text

    # Each client sees one unpaid invoice.
    assert http.get("/v1/portal/summary", headers=grace.portal).json() == {
        "unpaid_invoice_count": 1,
        "balance_due_cents": 12_345,
        "currency": "USD",
    }

    # Grace's check arrives: the biller marks her invoice paid.
    r = http.post(
        "/v1/invoices/mark-paid",
        headers=practice.biller,
        json={
            "invoice_ids": [grace_invoice["id"]],
            "received_date": "2026-04-10",
            "method": "check",
            "reference": "check 1001",
        },
    )
    assert r.status_code == 200, r.text
    assert [(p["amount_cents"], p["method"], p["status"]) for p in r.json()["data"]] == [(12_345, "check", "succeeded")]

    assert http.get("/v1/portal/summary", headers=grace.portal).json()["unpaid_invoice_count"] == 0
    paid = http.get(f"/v1/invoices/{grace_invoice['id']}", headers=practice.biller).json()
    assert (paid["status"], paid["balance_cents"], paid["paid_cents"]) == ("paid", 0, 12_345)
    assert [p["reference"] for p in paid["payments"]] == ["check 1001"]
    mine = http.get("/v1/portal/invoices", headers=grace.portal).json()["data"]
    assert [(i["number"], i["status"], i["balance_cents"]) for i in mine] == [("INV-000002", "paid", 0)]
    assert http.get("/v1/portal/summary", headers=ada.portal).json()["unpaid_invoice_count"] == 1

    # The PDF now shows the payment and says PAID; the as-issued one is still there.
    now = http.get(f"/v1/invoices/{grace_invoice['id']}/pdf", headers=practice.biller)
    now_text = pdf_text(now.content)
    assert "PAID" in now_text and "Check" in now_text and "2026-04-10" in now_text
    issued = http.get(f"/v1/invoices/{grace_invoice['id']}/pdf", params={"version": 1}, headers=practice.biller)
    assert "PAID" not in pdf_text(issued.content)
    assert issued.content == pdf.content
    versions = http.get(f"/v1/invoices/{grace_invoice['id']}/pdfs", headers=practice.biller).json()["data"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["sha256"] == pdf.headers["etag"].strip('"')
    assert versions[1]["sha256"] == now.headers["etag"].strip('"')
    # The client downloads the same current PDF from the portal.
    from_portal = http.get(f"/v1/portal/invoices/{grace_invoice['id']}/pdf", headers=grace.portal)
    assert from_portal.status_code == 200 and from_portal.content == now.content
