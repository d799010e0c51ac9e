"""A biller invoices services with the checkboxes and the green button, then marks one paid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.portal import row_of, sign_in, toast
from tests.factories import (
    STAFF_PASSWORD,
    make_client_via_api,
    make_practice_via_api,
    make_rate_via_api,
    make_service_via_api,
)

pytestmark = pytest.mark.browser


def test_biller_invoices_two_services_and_finds_them_on_invoiced(http, worker, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    rate = make_rate_via_api(http, practice, name="General Service (Self-Pay)", amount_cents=15_000)
    first = make_service_via_api(http, practice, ada["id"], rate["id"], service_date="2026-03-02")
    second = make_service_via_api(http, practice, ada["id"], rate["id"], service_date="2026-03-09")
    later = make_service_via_api(http, practice, grace["id"], rate["id"], service_date="2026-03-20")

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(page.get_by_role("tab", name="Invoices")).to_have_attribute("aria-selected", "true")
    for service in (first, second, later):
        expect(row_of(page, service["id"])).to_be_visible()
    expect(row_of(page, first["id"])).to_contain_text("Ada Lovelace")
    expect(row_of(page, first["id"])).to_contain_text("$150.00")
    screenshots(page, "staff-invoices-queue")

    # The client filter narrows the queue; clearing it brings everyone back.
    page.get_by_label("Client").select_option(label="Grace Hopper")
    page.get_by_role("button", name="Apply").click()
    expect(row_of(page, first["id"])).to_have_count(0)
    expect(row_of(page, later["id"])).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(row_of(page, first["id"])).to_be_visible()

    # Select-all ticks every row; unticking one leaves it mixed.
    select_all = page.get_by_role("checkbox", name="Select all services")
    select_all.check()
    expect(page.locator("input.row-select:checked")).to_have_count(3)
    row_of(page, later["id"]).get_by_role("checkbox").uncheck()
    assert page.evaluate("document.querySelector('input.select-all').indeterminate") is True
    expect(page.locator(".selected-note")).to_have_text("2 services selected")

    page.get_by_role("button", name="Edit selected").click()
    dialog = page.get_by_role("dialog", name="Invoice the selected services")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Invoiced date")).to_be_focused()
    dialog.get_by_label("Invoiced date").fill("2026-04-01")
    screenshots(page, "staff-invoice-run-dialog", full_page=False)
    dialog.get_by_role("button", name="Update").click()

    expect(dialog).to_have_count(0, timeout=30_000)
    expect(toast(page)).to_contain_text("1 invoice created")
    expect(row_of(page, first["id"])).to_have_count(0)
    expect(row_of(page, second["id"])).to_have_count(0)
    expect(row_of(page, later["id"])).to_be_visible()

    page.get_by_role("tab", name="Invoiced").click()
    invoice_link = page.get_by_role("link", name="INV-000001")
    expect(invoice_link).to_be_visible()
    invoice_row = page.locator("tr", has=invoice_link)
    expect(invoice_row).to_contain_text("Ada Lovelace")
    expect(invoice_row).to_contain_text("$300.00")
    expect(invoice_row).to_contain_text("Open")
    expect(invoice_row).to_contain_text(re.compile(r"Apr 1, 2026"))
    screenshots(page, "staff-invoiced-tab")

    # On a phone the same lists read as cards, without sideways scrolling.
    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    expect(row_of(phone, later["id"])).to_contain_text("Grace Hopper")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-invoices-queue-375")
    phone.get_by_role("tab", name="Invoiced").click()
    expect(phone.get_by_role("link", name="INV-000001")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-invoiced-tab-375")


def test_biller_marks_an_invoice_paid_and_is_told_when_one_already_is(http, worker, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    rate = make_rate_via_api(http, practice, amount_cents=9_000)
    service = make_service_via_api(http, practice, ada["id"], rate["id"])
    from tests.browser.portal import invoice_services

    [invoice_id] = invoice_services(http, practice, [service["id"]])

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto("/portal/#/invoices?tab=invoiced")
    row = row_of(page, invoice_id)
    expect(row).to_contain_text("Open")
    row.get_by_role("checkbox").check()

    # Keyboard: the green button opens the dialog; Esc closes it and focus comes back.
    fab = page.get_by_role("button", name="Edit selected")
    fab.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Mark invoices paid")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(fab).to_be_focused()

    fab.click()
    dialog.get_by_label("Date received").fill("2026-04-10")
    dialog.get_by_label("Method").select_option("check")
    dialog.get_by_label("Reference").fill("Check 1042")
    screenshots(page, "staff-mark-paid-dialog", full_page=False)
    dialog.get_by_role("button", name="Mark paid").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("$0.00")

    # Ticking it again (say, from a stale printout) is refused in plain words; nothing is recorded.
    row.get_by_role("checkbox").check()
    fab.click()
    dialog.get_by_label("Method").select_option("cash")
    dialog.get_by_role("button", name="Mark paid").click()
    expect(dialog.get_by_role("alert")).to_contain_text("One of the selected invoices is already paid")
    expect(dialog.get_by_role("alert")).to_contain_text("INV-000001")
    page.keyboard.press("Escape")

    # The invoice's own page: its lines and the check payment with its reference.
    page.get_by_role("link", name="INV-000001").click()
    expect(page.get_by_role("heading", name=re.compile("Invoice INV-000001"))).to_be_visible()
    expect(page.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Check 1042")
    expect(page.get_by_role("table", name="Lines of invoice INV-000001")).to_contain_text("$90.00")
    screenshots(page, "staff-invoice-detail")


def test_invoice_page_and_invoiced_tab_update_by_themselves(http, worker, new_page, screenshots):
    from tests.browser.portal import invoice_services

    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    rate = make_rate_via_api(http, practice, amount_cents=20_000)
    [invoice_id] = invoice_services(http, practice, [make_service_via_api(http, practice, ada["id"], rate["id"])["id"]])

    detail = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    detail.goto(f"/portal/#/invoices/{invoice_id}")
    expect(detail.get_by_role("heading", name=re.compile("INV-000001"))).to_contain_text("Open")
    listing = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
    listing.goto("/portal/#/invoices?tab=invoiced")
    expect(row_of(listing, invoice_id)).to_contain_text("Open")
    detail.evaluate("window.__stillTheSamePage = true")

    # Money arrives while both pages are open (here a cash payment a colleague records).
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.admin,
        json={"amount_cents": 7_500, "method": "cash", "received_date": "2026-04-02", "reference": "front desk"},
    )
    assert r.status_code == 201, r.text

    expect(detail.get_by_role("heading", name=re.compile("INV-000001"))).to_contain_text("Partially paid")
    expect(detail.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("front desk")
    expect(detail.locator(".amounts")).to_contain_text("$125.00")
    expect(row_of(listing, invoice_id)).to_contain_text("Partially paid")
    expect(row_of(listing, invoice_id)).to_contain_text("$125.00")
    assert detail.evaluate("window.__stillTheSamePage") is True
    screenshots(detail, "staff-invoice-detail-partially-paid")

    # Not found is said plainly, for an id that is not this practice's.
    detail.goto("/portal/#/invoices/00000000-0000-4000-8000-000000000000")
    expect(detail.get_by_role("heading", name="Invoice not found")).to_be_visible()


def test_an_ended_session_goes_back_to_sign_in_with_a_word_why(http, new_page):
    from sqlalchemy import text

    from shared.db.engine import session_scope

    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto("/portal/#/invoices?tab=invoiced")
    expect(page.get_by_role("tab", name="Invoiced")).to_have_attribute("aria-selected", "true")
    with session_scope() as session:  # the sign-in expires (here: every token revoked)
        session.execute(text("DELETE FROM access_tokens"))
    # The tab's next refresh finds out, and the page says so on the sign-in screen.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(toast(page)).to_contain_text("Your session has ended. Please sign in again.")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def test_a_tab_still_loading_leaves_the_address_the_biller_moved_to(http, new_page):
    # The "Invoices" tab waits for the billing rates before it writes its filters into the address.
    # When the biller has moved on to the Invoiced tab by then, the address must stay theirs (a
    # reload, a bookmark or a shared link opens what they see), and the page must not change.
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(page.get_by_role("tab", name="Invoices")).to_have_attribute("aria-selected", "true")
    page.goto("/portal/#/clients")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    held = []
    page.route("**/v1/billing-rates*", lambda route: held.append(route))
    page.goto("/portal/#/invoices")
    page.wait_for_timeout(300)
    assert held, "the Invoices tab did not ask for the billing rates"
    page.goto("/portal/#/invoices?tab=invoiced&status=open")
    expect(page.get_by_role("tab", name="Invoiced")).to_have_attribute("aria-selected", "true")
    for route in held:
        route.continue_()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"#/invoices\?tab=invoiced&status=open$"))
    expect(page.get_by_role("tab", name="Invoiced")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Status")).to_have_value("open")


def test_a_move_not_yet_drawn_is_not_undone_by_the_page_it_leaves(http, new_page):
    # The race CI once caught: the biller's move is in the address, but the portal has not drawn it
    # yet, when the old page writes its filters. Here the old page does so in that very moment.
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(page.get_by_role("search", name="Filter services")).to_be_visible()
    page.evaluate(
        """async () => {
          const router = await import('/portal/js/router.js');
          const queueFilters = document.querySelector('form[aria-label="Filter services"]');
          window.location.hash = '#/invoices?tab=invoiced';
          router.replaceQuery({ from: '2026-01-01' }, queueFilters);  // before the hashchange is handled
        }"""
    )
    expect(page.get_by_role("tab", name="Invoiced")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"#/invoices\?tab=invoiced$"))
