"""A biller works an invoice from its page: records a part payment received by check, reverses a
mistaken cash entry, sees each on the timeline with their name, records the rest, and voids another
invoice nobody paid; staff alerts have a page of their own where each is marked handled. At 1280 and
375 px."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from shared.alerts.service import raise_alert
from shared.db.engine import session_scope
from tests.browser.portal import sign_in, toast
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    give_portal_access,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    pdf_text,
)

pytestmark = pytest.mark.browser


def _record(page, amount: str, method: str, reference: str = "") -> None:
    page.get_by_role("button", name="Record a payment").click()
    dialog = page.get_by_role("dialog", name="Record a payment")
    dialog.get_by_label(re.compile(r"^Amount")).fill(amount)
    dialog.get_by_label("Method").select_option(method)
    if reference:
        dialog.get_by_label("Reference").fill(reference)
    dialog.get_by_role("button", name="Record payment").click()
    expect(dialog).to_have_count(0)


def test_a_biller_records_reverses_and_voids_from_the_invoice_page(http, worker, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    invoice_id = make_invoice(practice.group_id, ada["id"], 25_000)
    unpaid_id = make_invoice(practice.group_id, ada["id"], 9_000)

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/invoices/{invoice_id}")
    heading = page.get_by_role("heading", name=re.compile("INV-000001"))
    expect(heading).to_contain_text("Open")

    # More than the balance: refused in the dialog, nothing recorded.
    page.get_by_role("button", name="Record a payment").click()
    dialog = page.get_by_role("dialog", name="Record a payment")
    expect(dialog.get_by_label(re.compile(r"^Amount"))).to_have_value("250.00")
    dialog.get_by_label(re.compile(r"^Amount")).fill("300.00")
    dialog.get_by_role("button", name="Record payment").click()
    expect(dialog.get_by_role("alert")).to_contain_text("more than the balance of $250.00")
    screenshots(page, "staff-record-payment-dialog", full_page=False)
    dialog.get_by_role("button", name="Cancel").click()

    _record(page, "100.00", "check", "chk-1042")
    expect(toast(page)).to_contain_text("$100.00 recorded on invoice INV-000001")
    expect(heading).to_contain_text("Partially paid")
    _record(page, "50.00", "cash")
    payments = page.get_by_role("table", name="Payments on invoice INV-000001")
    expect(payments.locator("tbody tr")).to_have_count(2)

    # The cash was entered by mistake: reversed, with a reason, and kept in the history.
    payments.get_by_role("button", name="Reverse the $50.00 payment").click()
    reverse = page.get_by_role("dialog", name="Reverse a payment")
    reverse.get_by_role("button", name="Reverse payment").click()
    expect(reverse.get_by_role("alert")).to_contain_text("Say why")
    reverse.get_by_label("Reason").fill("entered twice")
    reverse.get_by_role("button", name="Reverse payment").click()
    expect(reverse).to_have_count(0)
    expect(payments).to_contain_text("entered twice")
    expect(page.locator(".amounts")).to_contain_text("$150.00")  # the balance is owed again

    timeline = page.locator("ol.timeline")
    expect(timeline.locator('li[data-action="payment.recorded"]')).to_have_count(2)
    expect(timeline.locator('li[data-action="payment.reversed"]')).to_contain_text("entered twice")
    expect(timeline.locator('li[data-action="payment.recorded"]').first).to_contain_text(practice.biller_email)
    expect(timeline).to_contain_text("Check payment of $100.00 recorded")
    screenshots(page, "staff-invoice-actions-timeline")

    # The rest, by default the whole balance: paid, and nothing more can be recorded or voided.
    _record(page, "150.00", "check")
    expect(heading).to_contain_text("Paid")
    expect(page.get_by_role("button", name="Record a payment")).to_have_count(0)
    expect(page.get_by_role("button", name="Void invoice")).to_have_count(0)

    # Another invoice, unpaid: voided after a confirmation.
    page.goto(f"/portal/#/invoices/{unpaid_id}")
    expect(page.get_by_role("heading", name=re.compile("INV-000002"))).to_contain_text("Open")
    page.get_by_role("button", name="Revoke payment links").click()
    page.get_by_role("dialog", name="Revoke the payment links of invoice INV-000002?").get_by_role(
        "button", name="Revoke links"
    ).click()
    expect(toast(page)).to_contain_text("No payment link was working.")
    page.get_by_role("button", name="Void invoice").click()
    page.get_by_role("dialog", name="Void invoice INV-000002?").get_by_role("button", name="Void invoice").click()
    expect(page.get_by_role("heading", name=re.compile("INV-000002"))).to_contain_text("Void")
    expect(page.locator('ol.timeline li[data-action="invoice.voided"]')).to_have_count(1)

    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(f"/portal/#/invoices/{invoice_id}")
    expect(phone.locator('ol.timeline li[data-action="payment.reversed"]')).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-invoice-actions-timeline-375")


def test_staff_mark_alerts_handled_on_the_alerts_page(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    invoice_id = make_invoice(practice.group_id, ada["id"], 12_000)
    with session_scope() as session:
        for kind, message in (
            ("refund_failed", "The refund of $40.00 on INV-000001 failed: the card was closed. Refund it another way."),
            ("email_undeliverable", "The invoice email to ada@example.com bounced: mailbox unavailable."),
        ):
            raise_alert(
                session,
                group_id=uuid.UUID(practice.group_id),
                kind=kind,
                dedupe_key=f"test:{kind}",
                message=message,
                invoice_id=uuid.UUID(invoice_id),
            )

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    table = page.get_by_role("table", name="Staff alerts")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Refund failed")
    expect(table).to_contain_text("the card was closed")
    screenshots(page, "staff-alerts")

    table.get_by_role("button", name="Mark “Refund failed” handled").click()
    expect(toast(page)).to_contain_text("Marked handled.")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Show").select_option("resolved")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Handled")
    table.get_by_role("link", name="Open invoice").click()
    expect(page.get_by_role("heading", name=re.compile("INV-000001"))).to_be_visible()

    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(phone.url.split("#")[0] + "#/alerts")
    expect(phone.get_by_role("table", name="Staff alerts").locator("tbody tr")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-alerts-375")


def test_staff_and_the_client_download_a_payments_receipt(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    give_portal_access(http, practice, ada["id"], email=email)
    invoice_id = make_invoice(practice.group_id, ada["id"], 12_000)
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": 4_000, "method": "check", "received_date": "2026-04-05"},
    )
    assert r.status_code == 201, r.text

    for who, password, path in ((practice.biller_email, STAFF_PASSWORD, f"invoices/{invoice_id}"),
                                (email, CLIENT_PASSWORD, f"billing/{invoice_id}")):  # fmt: skip
        page = sign_in(new_page(), who, password)
        page.goto(f"/portal/#/{path}")
        payments = page.get_by_role("table", name="Payments on invoice INV-000001")
        with page.expect_download() as download:
            payments.get_by_role("button", name="Download the receipt of the $40.00 payment").click()
        assert download.value.suggested_filename == "receipt-INV-000001.pdf"
        with open(download.value.path(), "rb") as f:
            text = pdf_text(f.read())
        assert "RECEIPT" in text and "$40.00" in text and "Individual session" not in text
