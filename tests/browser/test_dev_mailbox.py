"""The development mailbox as a developer sees it: after a biller invoices a client and records a
payment, /dev/mailbox/ lists both emails, newest first, each with its rendered HTML, its text and
its links — at desktop and phone widths. The email itself is photographed as a client's mail app
would show it."""

from __future__ import annotations

from tests.conftest import poll_until
from tests.factories import invoice, make_client, make_practice, make_rate, make_service


def test_the_mailbox_page_shows_each_email_with_its_html_text_and_links(http, worker, mailbox, new_page, screenshots):
    practice = make_practice(staff=True, name="Calm Therapy")
    http.patch("/v1/settings", headers=practice.admin, json={"reply_to_email": "desk@calm.example"})
    client = make_client(practice, "Ada Lovelace")
    rate = make_rate(practice, amount_cents=25_000)
    run = invoice(http, practice, [make_service(practice, client, rate)], invoiced_date="2026-03-31")
    [invoice_id] = run["invoice_ids"]
    number = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["number"]
    poll_until(lambda: len(mailbox.messages()) == 1, message="the invoice email")
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": 10_000, "method": "cash", "received_date": "2026-04-05"},
    )
    assert r.status_code == 201, r.text
    poll_until(lambda: len(mailbox.messages()) == 2, message="the receipt")

    for width in (1280, 375):
        page = new_page(width=width)
        page.goto("/dev/mailbox/")
        articles = page.locator("article")
        assert articles.count() == 2
        # Newest first: the receipt, open; then the invoice email.
        assert articles.nth(0).locator(".subject").inner_text() == f"Receipt for invoice {number} from Calm Therapy"
        assert articles.nth(1).locator(".subject").inner_text() == f"Invoice {number} from Calm Therapy"
        receipt_html = page.frame_locator("article >> nth=0 >> iframe")
        assert "$100.00" in receipt_html.locator("body").inner_text()
        assert "Reply-To desk@calm.example" in articles.nth(0).locator(".meta").inner_text()
        assert f"#/billing/{invoice_id}" in articles.nth(0).locator("ul.links").inner_text()
        # The receipt's PDF, listed and downloadable; the invoice email carries none.
        assert f"receipt-{number}.pdf" in articles.nth(0).locator("ul.files").inner_text()
        assert articles.nth(1).locator("ul.files").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        screenshots(page, f"mailbox-{width}")
        articles.nth(1).locator("summary").click()
        invoice_html = page.frame_locator("article >> nth=1 >> iframe")
        assert "$250.00" in invoice_html.locator("body").inner_text()
        assert "Amount due" in articles.nth(1).locator("pre").inner_text()

    [email] = [m for m in mailbox.messages() if m.subject.startswith("Invoice")]
    for width in (1280, 375):
        page = new_page(width=width)
        page.set_content(email.html)
        assert "#/pay/cpl_" in page.get_by_role("link", name="Pay invoice").get_attribute("href")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshots(page, f"email-invoice-{width}")
