"""A biller keeps the client list from the Clients page: finds a client by part of a name, sees what
each owes, adds a client, edits one, and opens a client's page with their invoices and payments.
At 1280 and 375 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.portal import sign_in, toast
from tests.conftest import poll_until
from tests.factories import STAFF_PASSWORD, give_portal_access, make_client_via_api, make_invoice, make_practice_via_api

pytestmark = pytest.mark.browser


def test_a_biller_finds_adds_and_edits_clients(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace", email="ada@analytical.example")
    make_client_via_api(http, practice, name="Grace Hopper")
    paid_on = make_invoice(practice.group_id, ada["id"], 12_000)
    make_invoice(practice.group_id, ada["id"], 8_000)
    r = http.post(
        f"/v1/invoices/{paid_on}/payments",
        headers=practice.biller,
        json={"amount_cents": 2_000, "method": "check", "received_date": "2026-04-05", "reference": "chk-9"},
    )
    assert r.status_code == 201, r.text

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Clients").click()
    table = page.get_by_role("table", name="Clients")
    expect(table.locator("tbody tr")).to_have_count(2)
    ada_row = table.locator("tr", has_text="Ada Lovelace")
    expect(ada_row).to_contain_text("$180.00")
    expect(ada_row.locator('td[data-label="Open invoices"]')).to_have_text("2")
    screenshots(page, "staff-clients")

    page.get_by_label("Search").fill("hopp")
    page.get_by_role("button", name="Search").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Grace Hopper")
    page.get_by_label("Search").fill("nobody-here")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No client matches “nobody-here”.")).to_be_visible()

    # A new client: the name is required; then the client's page opens.
    page.get_by_role("button", name="New client").click()
    dialog = page.get_by_role("dialog", name="New client")
    dialog.get_by_role("button", name="Add client").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Enter the client’s name.")
    dialog.get_by_label("Name").fill("Dana Reyes")
    dialog.get_by_label("Email").fill("dana@example.com")
    dialog.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Dana Reyes")).to_be_visible()
    expect(toast(page)).to_contain_text("Added Dana Reyes.")
    expect(page.get_by_text("No invoices yet.")).to_be_visible()

    # Ada's page: what she owes, her invoices and payments; an edit of her email.
    page.goto(f"/portal/#/clients/{ada['id']}")
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.locator(".client-summary")).to_contain_text("$180.00")
    invoices = page.get_by_role("table", name="The client’s invoices")
    expect(invoices.locator("tbody tr")).to_have_count(2)
    payments = page.get_by_role("table", name="The client’s payments")
    expect(payments.locator("tbody tr")).to_have_count(1)
    expect(payments).to_contain_text("$20.00")
    page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("dialog", name="Edit client")
    edit.get_by_label("Email").fill("ada.lovelace@analytical.example")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"ada\.lovelace@analytical\.example"))).to_be_visible()
    screenshots(page, "staff-client-detail")

    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(phone.url.split("#")[0] + f"#/clients/{ada['id']}")
    expect(phone.get_by_role("table", name="The client’s invoices").locator("tbody tr")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-client-detail-375")
    phone.goto(phone.url.split("#")[0] + "#/clients")
    expect(phone.get_by_role("table", name="Clients").locator("tbody tr")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-clients-375")


def test_another_practices_client_page_is_not_found(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    other = make_practice_via_api(http, name="Other Practice")
    theirs = make_client_via_api(http, other, name="Someone Else")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/clients/{theirs['id']}")
    expect(page.get_by_role("heading", name="Client not found")).to_be_visible()
    expect(page.get_by_text("Someone Else")).to_have_count(0)


def test_a_biller_invites_a_client_to_the_portal_from_their_page(http, worker, mailbox, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace", email="ada@analytical.example")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/clients/{ada['id']}")
    expect(page.get_by_text("No portal access yet.")).to_be_visible()
    page.get_by_role("button", name="Invite to the portal").click()
    expect(toast(page)).to_contain_text("Invitation sent to ada@analytical.example.")
    [message] = poll_until(lambda: mailbox.to("ada@analytical.example"), timeout=30, message="the invitation")
    assert any("#/set-password?token=" in link for link in message.links)


def test_a_biller_removes_a_clients_portal_access(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace", email="ada@analytical.example")
    token = give_portal_access(http, practice, ada["id"], email="ada.portal@analytical.example")
    client_headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/v1/portal/summary", headers=client_headers).status_code == 200

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/clients/{ada['id']}")
    expect(page.get_by_text("Signs in to the portal as ada.portal@analytical.example.")).to_be_visible()
    page.get_by_role("button", name="Remove portal access").click()
    page.get_by_role("dialog", name="Remove Ada Lovelace’s portal access?").get_by_role(
        "button", name="Remove access"
    ).click()
    expect(page.get_by_text("No portal access yet.")).to_be_visible()
    assert http.get("/v1/portal/summary", headers=client_headers).status_code == 401
