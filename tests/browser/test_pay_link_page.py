"""Paying from the invoice email, without a portal account (issue 13, item 3).

A biller invoices a service in the portal; the client's invoice email lands in the development
mailbox; its link opens the pay page with no sign-in — the practice, the invoice's number, dates and
amount, none of its lines — and paying with 4242 turns the invoice paid and sends the receipt. An
expired link says so and sends a fresh one to the address on file; a tampered one opens nothing.
Photographed at 1280 and 375 px wide.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.portal import WEBHOOK_EVENTS, connect_stripe, row_of, sign_in, toast, type_card
from tests.conftest import poll_until
from tests.factories import (
    STAFF_PASSWORD,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    make_rate_via_api,
    make_service_via_api,
)
from tests.paylinks.helpers import age_link, mint_link, token_of
from tests.reminders.helpers import remind
from tests.security.clinical import CLINICAL, DESCRIPTION, RATE_NAME

pytestmark = pytest.mark.browser

WEBHOOK_NAME = "clinicpay-pay-link-tests"


def _mailbox_to(http, address: str, subject_start: str) -> list[dict]:
    return [
        m
        for m in http.get("/dev/mailbox/messages").json()
        if address in m["to"] and m["subject"].startswith(subject_start)
    ]


def _pay_link_in(message: dict) -> str:
    links = {link for link in message["links"] if "#/pay/" in link}
    assert len(links) == 1, message["links"]
    return links.pop()


def _page_path(link: str) -> str:
    """The link's page on the test's API (the email names the configured portal address)."""
    return "/portal/" + link[link.index("#") :]


def test_a_client_pays_from_the_invoice_email_without_signing_in(
    http, worker, localstripe, receiver, mailbox, new_page, screenshots
):
    practice = make_practice_via_api(http, name="Calm Therapy")
    keys = connect_stripe(http, practice, localstripe.url)
    localstripe.register_webhook(
        WEBHOOK_NAME, receiver.webhook_url(practice.group_id), keys["webhook_secret"], WEBHOOK_EVENTS
    )
    email = "jordan@example.com"
    client = make_client_via_api(http, practice, name="Jordan Client", email=email)  # no portal login at all
    rate = make_rate_via_api(http, practice, name=RATE_NAME, amount_cents=12_500)
    service = make_service_via_api(
        http, practice, client["id"], rate["id"], service_date="2026-03-02", description=DESCRIPTION
    )
    # Reminders on the due date and a year after it (both after today): the second is still to come.
    r = http.patch("/v1/settings", headers=practice.admin, json={"reminder_schedule_days": [0, 365]})
    assert r.status_code == 200, r.text

    # The biller invoices the service in the portal.
    staff = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    row_of(staff, service["id"]).get_by_role("checkbox").check()
    staff.get_by_role("button", name="Edit selected").click()
    dialog = staff.get_by_role("dialog", name="Invoice the selected services")
    dialog.get_by_label("Invoiced date").fill("2026-04-01")
    dialog.get_by_role("button", name="Update").click()
    expect(toast(staff)).to_contain_text("1 invoice created", timeout=30_000)

    # The client's invoice email is in the development mailbox, with its pay link.
    [message] = poll_until(lambda: _mailbox_to(http, email, "Invoice"), message="the invoice email")
    link = _pay_link_in(message)
    assert "works until" in message["text"]

    # The link opens the pay page without a login.
    page = new_page()
    page.goto(_page_path(link))
    expect(page.get_by_role("heading", name=re.compile("Invoice INV-000001"))).to_be_visible()
    expect(page.locator("#practice-name")).to_have_text("Calm Therapy")
    expect(page.get_by_text("Invoiced Apr 1, 2026", exact=False)).to_be_visible()
    expect(page.locator(".amounts")).to_contain_text("$125.00")
    assert "#/pay/" not in page.url and page.url.endswith("#/pay")  # the token left the address bar
    body = page.locator("body").inner_text()
    assert not [w for w in CLINICAL if w.lower() in body.lower()], body  # no lines, no descriptions
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # nobody is signed in
    screenshots(page, "pay-link-summary-1280")
    phone = new_page(width=375, height=812)
    phone.goto(_page_path(link))
    expect(phone.get_by_role("button", name="Pay $125.00")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "pay-link-summary-375")

    # Paying with 4242 turns the invoice paid, on this page, by itself.
    page.get_by_role("button", name="Pay $125.00").click()
    pay = page.get_by_role("dialog", name="Pay invoice INV-000001")
    expect(pay.get_by_role("button", name="Pay $125.00")).to_be_enabled()
    type_card(page, "4242424242424242")
    screenshots(page, "pay-link-dialog-1280", full_page=False)
    pay.get_by_role("button", name="Pay $125.00").click()
    expect(pay).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("pay-link-paid")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=re.compile("Invoice INV-000001"))).to_contain_text("Paid")
    expect(page.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)
    screenshots(page, "pay-link-paid-1280")
    phone.reload()
    expect(phone.get_by_test_id("pay-link-paid")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "pay-link-paid-375")
    invoice = http.get("/v1/invoices", headers=practice.biller).json()["data"][0]
    assert (invoice["number"], invoice["status"], invoice["balance_cents"]) == ("INV-000001", "paid", 0)

    # The receipt email arrives.
    [receipt] = poll_until(lambda: _mailbox_to(http, email, "Receipt"), message="the receipt email")
    assert "$125.00" in receipt["text"] and "INV-000001" in receipt["subject"]

    # No reminder for the paid invoice is ever sent: not when its year-after step comes.
    assert remind(datetime(2027, 4, 1, 18, tzinfo=UTC)) == 0
    assert _mailbox_to(http, email, "Reminder") == []


def test_an_expired_link_sends_a_fresh_one_and_a_tampered_one_opens_nothing(
    http, worker, localstripe, mailbox, new_page, screenshots
):
    practice = make_practice_via_api(http, name="Calm Therapy")
    connect_stripe(http, practice, localstripe.url)
    email = "casey@example.com"
    client = make_client_via_api(http, practice, name="Casey Client", email=email)
    invoice_id = make_invoice(practice.group_id, client["id"], total_cents=8_000)
    token = mint_link(invoice_id)
    age_link(token, 31)

    for width in (1280, 375):
        page = new_page(width=width, height=812 if width == 375 else 860)
        page.goto(f"/portal/#/pay/{token}")
        expect(page.get_by_role("heading", name="This payment link has expired")).to_be_visible()
        expect(page.get_by_text("$80.00")).to_have_count(0)  # an expired link tells nothing about the invoice
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshots(page, f"pay-link-expired-{width}")
    page.get_by_role("button", name="Email me a new link").click()
    expect(page.get_by_role("status").filter(has_text="on its way")).to_be_visible()

    # The fresh link goes to the address on file, and opens the invoice.
    [fresh] = poll_until(lambda: _mailbox_to(http, email, "A new link"), message="the fresh link")
    fresh_link = _pay_link_in(fresh)
    assert token_of(fresh_link) != token
    page = new_page()
    page.goto(_page_path(fresh_link))
    expect(page.locator(".amounts")).to_contain_text("$80.00")
    expect(page.get_by_role("button", name="Pay $80.00")).to_be_visible()

    tampered = token_of(fresh_link)[:-2] + "zz"
    page.goto(f"/portal/#/pay/{tampered}")
    page.reload()
    expect(page.get_by_test_id("pay-link-invalid")).to_be_visible()
    expect(page.get_by_role("heading", name="This payment link isn’t valid")).to_be_visible()
    screenshots(page, "pay-link-invalid-1280")
