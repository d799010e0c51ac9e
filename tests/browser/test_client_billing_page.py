"""A client opens Billing: the red count, an invoice's details and PDF, and paying it by card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.portal import (
    WEBHOOK_EVENTS,
    connect_stripe,
    invoice_services,
    payment_element,
    row_of,
    sign_in,
    toast,
    type_bank_account,
    type_card,
    unpaid_badge,
)
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    card_payments_of,
    give_portal_access,
    make_client_via_api,
    make_practice_via_api,
    make_rate_via_api,
    make_service_via_api,
)
from tests.stripe.browser import fail_bank_debit, settle_bank_debit

pytestmark = pytest.mark.browser

WEBHOOK_NAME = "clinicpay-browser-tests"


def expand_invoice(page, invoice_id: str, number: str):
    """Open an invoice's details on Billing and wait until its lines are shown."""
    row_of(page, invoice_id).get_by_role("button", name=re.compile(number)).click()
    details = page.locator(f"#invoice-details-{invoice_id}")
    expect(details.get_by_role("table", name=f"Lines of invoice {number}")).to_be_visible()
    return details


def _pay_the_first_invoice_by_card(paying_practice, new_page, card_number: str):
    """The client signs in, opens INV-000001's pay dialog and presses Pay $125.00 with this card: the
    page and the dialog, still open, for what the card does next (declined, 3-D Secure)."""
    first, _ = paying_practice["invoices"]
    page = sign_in(new_page(), paying_practice["email"], CLIENT_PASSWORD)
    expand_invoice(page, first, "INV-000001").get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name="Pay invoice INV-000001")
    expect(dialog.get_by_role("button", name="Pay $125.00")).to_be_enabled()
    type_card(page, card_number)
    dialog.get_by_role("button", name="Pay $125.00").click()
    return page, dialog


@pytest.fixture
def paying_practice(http, worker, localstripe, receiver):
    """A practice taking cards on the test's Stripe stand-in, its webhooks going to the receiver,
    and a client with two open invoices and a portal login."""
    practice = make_practice_via_api(http, name="Calm Therapy")
    keys = connect_stripe(http, practice, localstripe.url)
    localstripe.register_webhook(
        WEBHOOK_NAME, receiver.webhook_url(practice.group_id), keys["webhook_secret"], WEBHOOK_EVENTS
    )
    email = "robin@example.com"
    client = make_client_via_api(http, practice, name="Robin Client", email=email)
    give_portal_access(http, practice, client["id"], email=email)
    rate = make_rate_via_api(http, practice, name="Therapy session (Self-Pay)", amount_cents=12_500)
    march = make_service_via_api(http, practice, client["id"], rate["id"], service_date="2026-03-02")
    april = make_service_via_api(http, practice, client["id"], rate["id"], service_date="2026-04-06")
    [first] = invoice_services(http, practice, [march["id"]], invoiced_date="2026-03-31")
    [second] = invoice_services(http, practice, [april["id"]], invoiced_date="2026-04-30")
    yield {"practice": practice, "client": client, "email": email, "invoices": [first, second]}
    # Mute the registration: later tests' events must not reach this practice's secret.
    localstripe.register_webhook(WEBHOOK_NAME, receiver.url + "/muted", "whsec_muted", ["none.none"])


def test_client_sees_count_downloads_pdf_and_pays_by_card(paying_practice, new_page, screenshots):
    first, second = paying_practice["invoices"]
    page = sign_in(new_page(), paying_practice["email"], CLIENT_PASSWORD)

    # "Billing" in the navigation carries the red number of unpaid invoices.
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    expect(unpaid_badge(page)).to_be_visible()
    expect(unpaid_badge(page).locator(".count")).to_have_text("2")
    expect(page.get_by_role("link", name=re.compile("Billing"))).to_have_attribute("aria-current", "page")
    expect(row_of(page, first)).to_contain_text("INV-000001")
    expect(row_of(page, first)).to_contain_text("$125.00")
    expect(row_of(page, first)).to_contain_text("Open")
    expect(page.get_by_text("You owe $250.00 on 2 unpaid invoices.")).to_be_visible()
    screenshots(page, "client-billing")

    # The invoice expands (a real button with aria-expanded) to its lines and actions.
    toggle = row_of(page, first).get_by_role("button", name=re.compile("INV-000001"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    details = page.locator(f"#invoice-details-{first}")
    expect(details.get_by_role("table", name="Lines of invoice INV-000001")).to_contain_text("Therapy session")
    expect(details.get_by_text("No payments yet.")).to_be_visible()
    screenshots(page, "client-billing-expanded")

    # Download saves the PDF; View opens it in a new tab.
    with page.expect_download() as downloading:
        details.get_by_role("button", name="Download invoice INV-000001 (PDF)").click()
    download = downloading.value
    assert download.suggested_filename == "INV-000001.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    with page.context.expect_page() as opening:
        details.get_by_role("button", name=re.compile("View invoice INV-000001")).click()
    tab = opening.value
    tab.wait_for_url(re.compile(r"^blob:"))
    tab.close()

    # Nothing below reloads the page: this marker would vanish if it did.
    page.evaluate("window.__stillTheSamePage = true")

    details.get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name="Pay invoice INV-000001")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Amount: $125.00")).to_be_visible()
    expect(dialog.get_by_role("button", name="Pay $125.00")).to_be_enabled()
    type_card(page, "4242424242424242")
    screenshots(page, "client-pay-dialog", full_page=False)
    dialog.get_by_role("button", name="Pay $125.00").click()

    # The dialog closes; the invoice turns Paid by itself once Stripe's word lands, and the count drops.
    expect(dialog).to_have_count(0, timeout=30_000)
    expect(toggle).to_be_focused()  # "Make Payment" is gone: focus lands on the invoice, not nowhere
    expect(row_of(page, first)).to_contain_text("Paid", timeout=30_000)
    expect(row_of(page, first)).to_contain_text("$0.00")
    expect(unpaid_badge(page).locator(".count")).to_have_text("1")
    expect(details.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Card")
    expect(details.get_by_role("button", name="Make Payment")).to_be_hidden()
    expect(row_of(page, second)).to_contain_text("Open")
    expect(page.get_by_text("You owe $125.00 on 1 unpaid invoice.")).to_be_visible()
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshots(page, "client-billing-after-payment")


def test_a_declined_card_is_explained_and_nothing_changes(paying_practice, new_page, screenshots):
    first, _ = paying_practice["invoices"]
    page, dialog = _pay_the_first_invoice_by_card(paying_practice, new_page, "4000000000000341")

    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text(re.compile("declined", re.I), timeout=30_000)
    expect(dialog.get_by_role("button", name="Try again")).to_be_enabled()
    screenshots(page, "client-pay-declined", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.locator(f"#invoice-details-{first}").get_by_role("button", name="Make Payment")).to_be_focused()
    expect(row_of(page, first)).to_contain_text("Open")
    expect(unpaid_badge(page).locator(".count")).to_have_text("2")


def test_a_client_cannot_open_another_clients_invoice(http, worker, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    rate = make_rate_via_api(http, practice, amount_cents=8_000)
    mine = make_client_via_api(http, practice, name="Robin Client", email="robin@example.com")
    theirs = make_client_via_api(http, practice, name="Sam Other", email="sam@example.com")
    give_portal_access(http, practice, mine["id"], email="robin@example.com")
    [own_invoice] = invoice_services(
        http, practice, [make_service_via_api(http, practice, mine["id"], rate["id"])["id"]]
    )
    [their_invoice] = invoice_services(
        http, practice, [make_service_via_api(http, practice, theirs["id"], rate["id"])["id"]]
    )

    page = sign_in(new_page(), "robin@example.com", CLIENT_PASSWORD)
    page.goto(f"/portal/#/billing/{own_invoice}")
    expect(page.get_by_role("heading", name=re.compile("Invoice INV-000001"))).to_be_visible()

    page.goto(f"/portal/#/billing/{their_invoice}")
    expect(page.get_by_role("heading", name="Invoice not found")).to_be_visible()
    expect(page.get_by_text("INV-000002")).to_have_count(0)
    # Staff pages are not theirs either: the address leads back to Billing.
    page.goto(f"/portal/#/invoices/{their_invoice}")
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()


def test_billing_reads_at_phone_width(http, worker, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    rate = make_rate_via_api(http, practice, name="Therapy session (Self-Pay)", amount_cents=12_500)
    client = make_client_via_api(http, practice, name="Robin Client", email="robin@example.com")
    give_portal_access(http, practice, client["id"], email="robin@example.com")
    services = [
        make_service_via_api(http, practice, client["id"], rate["id"], service_date=f"2026-03-{d:02d}")["id"]
        for d in (2, 9)
    ]
    [invoice] = invoice_services(http, practice, services)
    r = http.post(
        f"/v1/invoices/{invoice}/payments",
        headers=practice.biller,
        json={"amount_cents": 5_000, "method": "insurance", "received_date": "2026-04-03"},
    )
    assert r.status_code == 201, r.text

    page = sign_in(new_page(width=375, height=812), "robin@example.com", CLIENT_PASSWORD)
    expect(row_of(page, invoice)).to_contain_text("Partially paid")
    expect(unpaid_badge(page).locator(".count")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px"
    screenshots(page, "client-billing-375")
    row_of(page, invoice).get_by_role("button", name=re.compile("INV-000001")).click()
    details = page.locator(f"#invoice-details-{invoice}")
    expect(details.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Insurance")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(page, "client-billing-375-expanded")
    details.get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name="Pay invoice INV-000001")
    expect(dialog.locator(".payment-element")).to_be_hidden()
    expect(dialog.get_by_role("alert")).to_contain_text("Card payments aren’t set up for this practice yet")
    screenshots(page, "client-pay-dialog-375-no-stripe", full_page=False)


def test_three_d_secure_is_completed_in_stripes_window(paying_practice, new_page, screenshots):
    first, _ = paying_practice["invoices"]
    page, dialog = _pay_the_first_invoice_by_card(paying_practice, new_page, "4000002500003155")

    # The bank's window (Stripe's, from stripe.handleNextAction, added to the page) must be usable above
    # our dialog.
    authenticate = page.get_by_role("button", name="Complete authentication")
    expect(authenticate).to_be_visible(timeout=30_000)
    expect(dialog.get_by_text("Your bank wants to confirm it’s you…")).to_be_visible()
    screenshots(page, "client-pay-3ds", full_page=False)
    authenticate.click()
    expect(dialog).to_have_count(0, timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Paid", timeout=30_000)
    expect(unpaid_badge(page).locator(".count")).to_have_text("1")


def test_three_d_secure_refused_is_explained_and_another_card_pays(paying_practice, new_page, screenshots):
    first, _ = paying_practice["invoices"]
    page, dialog = _pay_the_first_invoice_by_card(paying_practice, new_page, "4000002500003155")
    page.get_by_role("button", name="Fail authentication").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was charged", timeout=30_000)
    screenshots(page, "client-pay-3ds-refused", full_page=False)
    expect(row_of(page, first)).to_contain_text("Open")

    type_card(page, "4242424242424242")
    dialog.get_by_role("button", name="Try again").click()
    expect(dialog).to_have_count(0, timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Paid", timeout=30_000)


def test_a_dialog_closed_during_3d_secure_resumes_or_cancels_when_reopened(paying_practice, http, new_page):
    first, _ = paying_practice["invoices"]
    page, _ = _pay_the_first_invoice_by_card(paying_practice, new_page, "4000002500003155")
    expect(page.get_by_role("button", name="Complete authentication")).to_be_visible(timeout=30_000)
    page.reload()  # the client walks away mid-authentication

    details = expand_invoice(page, first, "INV-000001")
    details.get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name="Pay invoice INV-000001")
    expect(dialog.get_by_text("your bank still wants to confirm it’s you")).to_be_visible()
    dialog.get_by_role("button", name="Continue the payment").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(dialog).to_have_count(0, timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Paid", timeout=30_000)


def test_a_client_pays_part_of_an_invoice_when_the_practice_allows_it(paying_practice, http, new_page):
    practice = paying_practice["practice"]
    r = http.patch(
        "/v1/settings", headers=practice.admin, json={"allow_partial_payments": True, "minimum_payment_cents": 2_000}
    )
    assert r.status_code == 200, r.text
    first, _ = paying_practice["invoices"]
    page = sign_in(new_page(), paying_practice["email"], CLIENT_PASSWORD)
    expand_invoice(page, first, "INV-000001").get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name="Pay invoice INV-000001")
    amount = dialog.get_by_label("Amount to pay (USD)")
    expect(amount).to_have_value("125.00")
    expect(amount).to_be_focused()
    amount.fill("10")
    type_card(page, "4242424242424242")
    dialog.get_by_role("button", name="Pay $10.00").click()
    expect(dialog.get_by_role("alert")).to_contain_text("The smallest payment is $20.00")
    amount.fill("50.00")
    dialog.get_by_role("button", name="Pay $50.00").click()
    expect(dialog).to_have_count(0, timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Partially paid", timeout=30_000)
    expect(row_of(page, first)).to_contain_text("$75.00")
    expect(unpaid_badge(page).locator(".count")).to_have_text("2")


@pytest.fixture
def ach_practice(paying_practice, http):
    r = http.patch("/v1/settings", headers=paying_practice["practice"].admin, json={"ach_debit_enabled": True})
    assert r.status_code == 200, r.text
    return paying_practice


def _pay_by_bank(page, invoice_id: str, number: str, screenshots=None, shot: str | None = None):
    expand_invoice(page, invoice_id, number).get_by_role("button", name="Make Payment").click()
    dialog = page.get_by_role("dialog", name=f"Pay invoice {number}")
    expect(payment_element(page).get_by_role("tab", name="US bank account")).to_be_visible()
    type_bank_account(page)
    if screenshots and shot:
        screenshots(page, shot, full_page=False)
    dialog.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    expect(dialog).to_have_count(0, timeout=30_000)
    [payment] = card_payments_of(invoice_id)
    return payment.stripe_payment_intent_id


def test_a_bank_payment_is_pending_then_paid(ach_practice, localstripe, new_page, screenshots):
    first, _ = ach_practice["invoices"]
    page = sign_in(new_page(), ach_practice["email"], CLIENT_PASSWORD)
    pi = _pay_by_bank(page, first, "INV-000001", screenshots, "client-pay-dialog-ach")
    expect(toast(page)).to_contain_text("takes up to four business days")
    expect(row_of(page, first)).to_contain_text("Payment pending", timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Open")
    details = page.locator(f"#invoice-details-{first}")
    expect(details.get_by_text(re.compile("Your payment of \\$125.00 is pending"))).to_be_visible(timeout=30_000)
    expect(details.get_by_role("button", name="Make Payment")).to_be_hidden()
    expect(details.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Bank debit (ACH)")
    screenshots(page, "client-billing-ach-pending")

    settle_bank_debit(localstripe.url, pi)  # days later, the bank pays
    expect(row_of(page, first)).to_contain_text("Paid", timeout=30_000)
    expect(row_of(page, first)).not_to_contain_text("Payment pending")
    expect(unpaid_badge(page).locator(".count")).to_have_text("1")
    screenshots(page, "client-billing-ach-paid")


def test_a_bank_payment_that_fails_opens_the_invoice_again_with_the_reason(
    ach_practice, localstripe, new_page, screenshots
):
    first, _ = ach_practice["invoices"]
    practice = ach_practice["practice"]
    page = sign_in(new_page(width=375, height=812), ach_practice["email"], CLIENT_PASSWORD)
    pi = _pay_by_bank(page, first, "INV-000001")
    expect(row_of(page, first)).to_contain_text("Payment pending", timeout=30_000)
    screenshots(page, "client-billing-ach-pending-375")

    fail_bank_debit(localstripe.url, pi, "insufficient_funds")
    expect(row_of(page, first)).not_to_contain_text("Payment pending", timeout=30_000)
    expect(row_of(page, first)).to_contain_text("Open")
    details = page.locator(f"#invoice-details-{first}")
    expect(
        details.get_by_text(re.compile("did not go through: The customer's account has insufficient funds"))
    ).to_be_visible(timeout=30_000)
    expect(details.get_by_role("button", name="Make Payment")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(page, "client-billing-ach-failed-375")

    staff = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    staff.goto(f"/portal/#/invoices/{first}")
    expect(
        staff.get_by_text(
            re.compile("A bank payment of \\$125.00 failed: The customer's account has insufficient funds")
        )
    ).to_be_visible()
    expect(staff.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Failed")
    screenshots(staff, "staff-invoice-ach-failed")
    staff_narrow = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    staff_narrow.goto(f"/portal/#/invoices/{first}")
    expect(staff_narrow.get_by_text(re.compile("A bank payment of"))).to_be_visible()
    screenshots(staff_narrow, "staff-invoice-ach-failed-375")
