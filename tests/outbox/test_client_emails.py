"""The emails a practice's clients get: an invoice when it is issued, a receipt when they pay —
each once, from the practice (its name, its reply-to), with the amount in its currency and a
link, and nothing clinical. Sent by the real worker to a real SMTP server; what arrived is read back
from the server's store and from the development mailbox the API serves."""

from __future__ import annotations

from shared.config import app_settings
from shared.outbox.schemas import ALLOWED_FACTS
from tests.conftest import poll_until
from tests.factories import invoice, make_client, make_practice, make_rate, make_service, pdf_text
from tests.outbox.helpers import DESCRIPTION, RATE_NAME, clinical_text_in, outbox_rows, set_client_email


def _issue(http, practice, client, amount_cents=15_000, description=DESCRIPTION):
    rate = make_rate(practice, name=RATE_NAME, amount_cents=amount_cents)
    service = make_service(practice, client, rate, description=description)
    run = invoice(http, practice, [service], invoiced_date="2026-03-31")
    [invoice_id] = run["invoice_ids"]
    return http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()


def test_an_issued_invoice_emails_the_client_once_with_nothing_clinical(http, worker, mailbox):
    practice = make_practice(staff=True, name="Calm Therapy")
    r = http.patch("/v1/settings", headers=practice.admin, json={"reply_to_email": "Front-Desk@calm.example"})
    assert r.status_code == 200 and r.json()["reply_to_email"] == "Front-Desk@calm.example", r.text
    r = http.patch("/v1/settings", headers=practice.admin, json={"reply_to_email": "front desk at calm"})
    assert (r.status_code, r.json()["error"]["param"]) == (422, "reply_to_email")
    assert http.get("/v1/settings", headers=practice.biller).json()["reply_to_email"] == "Front-Desk@calm.example"
    assert http.patch("/v1/settings", headers=practice.admin, json={"payment_terms": "net_30"}).status_code == 200
    client = make_client(practice, "Ada Lovelace")
    assert outbox_rows() == []  # nothing written before the run
    inv = _issue(http, practice, client)
    assert DESCRIPTION in [line["description"] for line in inv["lines"]]  # the clinical text is the practice's to keep

    [row] = outbox_rows(kind="invoice_issued")
    [email] = poll_until(lambda: mailbox.to(row.to_address), message="the invoice email to arrive")
    assert email.subject == f"Invoice {inv['number']} from Calm Therapy"
    assert email.message_id == row.message_id
    assert email.headers["Reply-To"] == "Front-Desk@calm.example"
    assert "Calm Therapy" in email.headers["From"]
    for body in (email.text, email.html):
        assert "Ada" in body and "Lovelace" not in body  # the first name only
        assert inv["number"] in body and "$150.00" in body and "March 31, 2026" in body
        assert "April 30, 2026" in body  # due 30 days after, the practice's terms
    # Its link is a pay link of its own, minted as it was sent: in the email, never in the row.
    assert {found.split("#/pay/")[0] for found in email.links} == {app_settings().public_portal_url}, email.links
    assert all(found.split("#/pay/")[1].startswith("cpl_") for found in email.links)
    assert "cpl_" not in str(row.facts)

    # Nothing clinical anywhere: not in the headers, the text, the HTML, nor the row's facts.
    everything = [email.subject, email.text, email.html, *email.headers.values(), *map(str, row.facts.values())]
    assert clinical_text_in(everything) == []
    assert set(row.facts) <= ALLOWED_FACTS["invoice_issued"]

    # The development mailbox shows the same message.
    listed = http.get("/dev/mailbox/messages").json()
    assert [m["subject"] for m in listed] == [email.subject]
    assert {"id", "to", "subject", "text", "html", "links", "sent_at"} <= set(listed[0])
    assert listed[0]["to"] == [row.to_address] and listed[0]["links"] == email.links
    page = http.get("/dev/mailbox/")
    assert page.status_code == 200 and email.subject in page.text

    # Sent once: still one message and one row once the sweeper has had its chance.
    rows = outbox_rows()
    assert [(r.kind, r.status, r.attempts) for r in rows] == [("invoice_issued", "sent", 1)]


def test_a_client_without_an_email_address_gets_nothing_and_that_is_recorded(http, worker, mailbox):
    practice = make_practice(staff=True)
    with_address = make_client(practice, "Grace Hopper")
    without = make_client(practice, "Alan Turing")
    set_client_email(without.id, None)
    rate = make_rate(practice)
    run = invoice(http, practice, [make_service(practice, with_address, rate), make_service(practice, without, rate)])
    assert len(run["invoice_ids"]) == 2
    poll_until(lambda: len(mailbox.messages()) == 1, message="the one invoice email")
    rows = {r.to_address: r for r in outbox_rows(kind="invoice_issued")}
    skipped = rows[None]
    assert (skipped.status, skipped.skip_reason, skipped.attempts) == ("skipped", "no_email_address", 0)
    [sent] = [r for r in rows.values() if r.to_address]
    poll_until(lambda: outbox_rows(id=sent.id)[0].status == "sent", message="the row marked sent")
    assert [m.to for m in mailbox.messages()] == [[sent.to_address]]


def test_a_payment_staff_record_sends_a_receipt_and_a_repeat_sends_none(http, worker, mailbox):
    practice = make_practice(staff=True, name="Calm Therapy")
    client = make_client(practice, "Ada Lovelace")
    inv = _issue(http, practice, client, amount_cents=25_000)
    poll_until(lambda: mailbox.messages(), message="the invoice email")
    r = http.post(
        f"/v1/invoices/{inv['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 10_000, "method": "check", "received_date": "2026-04-05", "reference": "check 77"},
    )
    assert r.status_code == 201, r.text
    [receipt] = poll_until(
        lambda: [m for m in mailbox.messages() if m.subject.startswith("Receipt")], message="the receipt"
    )
    assert receipt.subject == f"Receipt for invoice {inv['number']} from Calm Therapy"
    for body in (receipt.text, receipt.html):
        assert "$100.00" in body and "Check" in body and "April 5, 2026" in body and "$150.00" in body  # balance
        assert "check 77" not in body  # the practice's own reference stays with the practice
    assert clinical_text_in([receipt.text, receipt.html, receipt.subject]) == []
    [row] = outbox_rows(kind="payment_receipt")
    assert set(row.facts) <= ALLOWED_FACTS["payment_receipt"] and row.message_id == receipt.message_id
    assert len(mailbox.messages()) == 2

    # It carries the receipt as a PDF: the payment, without the practice's reference or any line.
    [pdf] = receipt.attachments
    assert (pdf.filename, pdf.content_type) == (f"receipt-{inv['number']}.pdf", "application/pdf")
    text = pdf_text(pdf.content)
    assert f"{inv['number']}-1" in text and "$100.00" in text and "Check" in text and "Ada Lovelace" in text
    assert "check 77" not in text and clinical_text_in([text]) == []
    [invoice_email] = [m for m in mailbox.messages() if m.id != receipt.id]
    assert invoice_email.attachments == []  # the invoice's own PDF stays behind the portal's sign-in

    # The development mailbox lists it and serves it.
    [listed] = [m for m in http.get("/dev/mailbox/messages").json() if m["id"] == receipt.id]
    assert listed["attachments"] == [
        {"filename": pdf.filename, "content_type": "application/pdf", "size": len(pdf.content)}
    ]
    download = http.get(f"/dev/mailbox/messages/{receipt.id}/attachments/0")
    assert download.status_code == 200 and download.content == pdf.content
    assert download.headers["content-disposition"] == f'attachment; filename="{pdf.filename}"'
    for missing in (f"{receipt.id}/attachments/1", f"{invoice_email.id}/attachments/0", "..%2F..%2Fetc/attachments/0"):
        assert http.get(f"/dev/mailbox/messages/{missing}").status_code == 404
    assert f"messages/{receipt.id}/attachments/0" in http.get("/dev/mailbox/").text


def test_a_receipt_email_of_a_reversed_payment_carries_no_pdf(http, worker, mailbox):
    practice = make_practice(staff=True, name="Calm Therapy")
    client = make_client(practice, "Ada Lovelace")
    inv = _issue(http, practice, client, amount_cents=25_000)
    poll_until(lambda: mailbox.messages(), message="the invoice email")
    mailbox.stop()  # the receipt waits, and the payment is reversed before it leaves
    r = http.post(
        f"/v1/invoices/{inv['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 10_000, "method": "cash", "received_date": "2026-04-05"},
    )
    assert r.status_code == 201, r.text
    reversed_ = http.post(
        f"/v1/payments/{r.json()['id']}/reverse", headers=practice.biller, json={"reason": "entered twice"}
    )
    assert reversed_.status_code == 200, reversed_.text
    mailbox.start()
    [receipt] = poll_until(
        lambda: [m for m in mailbox.messages() if m.subject.startswith("Receipt")], timeout=60, message="the receipt"
    )
    assert receipt.attachments == []  # no receipt PDF for money that was not kept
