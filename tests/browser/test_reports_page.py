"""The Reports page: a biller sees what is owed by days past due — the chart, every client in the
table with the totals row, and the CSV download — at 1280 and 375 px."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shared.ledger.due import practice_today
from tests.api.test_aging_report import _invoice
from tests.browser.portal import sign_in
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    give_portal_access,
    make_client_via_api,
    make_practice_via_api,
)

pytestmark = pytest.mark.browser


def test_a_biller_reads_the_aging_report_and_downloads_it(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    today = practice_today("America/New_York")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    _invoice(practice, ada["id"], today + timedelta(days=10), 15_000)
    _invoice(practice, ada["id"], today - timedelta(days=45), 9_000)
    _invoice(practice, grace["id"], today - timedelta(days=120), 30_000)

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Accounts receivable aging")).to_be_visible()
    expect(page.get_by_text("$540.00 owed on 3 invoices")).to_be_visible()
    chart = page.get_by_role("img", name="Open balances by days past due")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(1 + 2 + 1 + 2)  # all clients: 3 buckets; Grace: 1; Ada: 2
    table = page.get_by_role("table", name="Open balances by client")
    expect(table.locator("tbody tr").first).to_contain_text("Grace Hopper")  # the largest balance first
    ada_row = table.locator("tr", has_text="Ada Lovelace")
    expect(ada_row).to_contain_text("$150.00")
    expect(ada_row).to_contain_text("$90.00")
    expect(table.locator("tr", has_text="All clients")).to_contain_text("$540.00")
    screenshots(page, "staff-reports-aging")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"aging-{today.isoformat()}.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.splitlines()[1].startswith("Grace Hopper,")

    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(phone.url.split("#")[0] + "#/reports")
    expect(phone.get_by_role("img", name="Open balances by days past due")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-reports-aging-375")


def test_a_client_has_no_reports_page(http, new_page):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice, name="Ada Lovelace")
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    give_portal_access(http, practice, client["id"], email=email)
    page = sign_in(new_page(), email, CLIENT_PASSWORD)
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/reports")
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    expect(page.get_by_role("heading", name="Accounts receivable aging")).to_have_count(0)


def test_a_biller_reads_what_was_collected_per_month(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    today = practice_today("America/New_York")
    _invoice(practice, ada["id"], today, 30_000)
    invoice_id = http.get("/v1/invoices", headers=practice.biller).json()["data"][0]["id"]
    for amount, method, received in ((4_000, "check", "2026-03-10"), (6_000, "insurance", "2026-04-02")):
        r = http.post(
            f"/v1/invoices/{invoice_id}/payments",
            headers=practice.biller,
            json={"amount_cents": amount, "method": method, "received_date": received},
        )
        assert r.status_code == 201, r.text

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Collected per month")).to_be_visible()
    expect(page.get_by_role("table", name="Collected per month").locator("tbody tr")).to_have_count(13)  # 12 and all
    page.get_by_label("From", exact=True).fill("2026-03")
    page.get_by_label("To", exact=True).fill("2026-05")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name="Collected per month")
    expect(table.locator("tbody tr")).to_have_count(4)  # March, April, May and all months
    expect(table.locator("tr", has_text="All months")).to_contain_text("$100.00")
    expect(page.get_by_role("img", name="Collected per month")).to_be_visible()
    screenshots(page, "staff-reports-collections")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download collections CSV").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[1].startswith("2026-03,0.00,0.00,40.00,0.00,0.00,40.00")

    page.get_by_label("From", exact=True).fill("2023-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Choose at most 24 months.")).to_be_visible()


def test_a_practice_with_many_clients_owing_sees_the_largest_and_every_total(http, new_page, screenshots):
    from shared.clients.models import Client
    from shared.db.engine import session_scope

    practice = make_practice_via_api(http, name="Busy Practice")
    today = practice_today("America/New_York")
    with session_scope() as session:
        ids = []
        for n in range(1, 106):
            client = Client(group_id=uuid.UUID(practice.group_id), name=f"Client {n:03d}", email=None)
            session.add(client)
            session.flush()
            ids.append(str(client.id))
    for n, client_id in enumerate(ids, start=1):
        _invoice(practice, client_id, today - timedelta(days=5), 100 * n)  # $1.00 … $105.00
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(page.url.split("#")[0] + "#/reports")
    table = page.get_by_role("table", name="Open balances by client")
    expect(table.locator("tbody tr").first).to_contain_text("Client 105")
    expect(table.locator("tbody tr")).to_have_count(100 + 1)  # the 100 largest and "All clients"
    expect(table.locator("tr", has_text="Client 005")).to_have_count(0)
    expect(table.locator("tr", has_text="All clients")).to_contain_text("$5,565.00")  # every client's
    expect(page.get_by_test_id("aging-more")).to_contain_text("100 largest balances of 105 clients")
    screenshots(page, "staff-reports-aging-many", full_page=False)
