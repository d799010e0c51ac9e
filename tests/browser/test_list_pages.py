"""Every staff list is one component (`js/list.js`): it shows the first page, "Load more" reads the
next until there is no more, a poll keeps what is loaded and a ticked box while rows change, and a
filter that matches nothing says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.portal import row_of, sign_in
from tests.factories import STAFF_PASSWORD, make_client_via_api, make_invoice, make_practice_via_api
from tests.factories.services import make_many_services, make_rate

pytestmark = pytest.mark.browser

CLIENTS = 101  # one more than the largest first page (the queue's and the services' 100)


def test_each_list_reads_on_with_load_more_until_the_end(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    make_many_services(practice, make_rate(practice), clients=CLIENTS, per_client=1)
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)

    def read_to_the_end(table_name: str, page_size: int) -> None:
        rows = page.get_by_role("table", name=table_name).locator("tbody tr")
        more = page.get_by_role("button", name="Load more")
        shown = page_size
        expect(rows).to_have_count(shown)
        while shown < CLIENTS:
            more.click()
            shown = min(CLIENTS, shown + page_size)
            expect(rows).to_have_count(shown)
        expect(more).to_be_hidden()

    read_to_the_end("Services waiting to be invoiced", 100)
    page.get_by_role("link", name="Clients").click()
    read_to_the_end("Clients", 50)
    page.get_by_role("link", name="Services").click()
    read_to_the_end("Services", 100)

    # A filter that matches nothing says so in place of the table.
    page.get_by_label("Status").select_option(label="Paid")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No services match.")).to_be_visible()
    expect(page.get_by_role("table", name="Services")).to_have_count(0)


def test_a_poll_changes_a_row_and_keeps_the_ticked_box(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    ticked = make_invoice(practice.group_id, ada["id"], 9_000)
    paid_elsewhere = make_invoice(practice.group_id, ada["id"], 12_000)
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("tab", name="Invoiced").click()
    box = row_of(page, ticked).get_by_role("checkbox")
    box.check()
    expect(page.locator(".selected-note")).to_have_text("1 invoice selected")

    # Another biller records a check on the other invoice: the row turns Paid by itself.
    r = http.post(
        f"/v1/invoices/{paid_elsewhere}/payments",
        headers=practice.biller,
        json={"amount_cents": 12_000, "method": "check", "received_date": "2026-04-05"},
    )
    assert r.status_code == 201, r.text
    expect(row_of(page, paid_elsewhere).locator('td[data-label="Status"]')).to_contain_text("Paid", timeout=10_000)
    expect(box).to_be_checked()
    expect(page.locator(".selected-note")).to_have_text("1 invoice selected")

    # The status filter's labels are the pills' labels; an overdue filter reads ?overdue=true.
    status = page.get_by_label("Status")
    expect(status.locator("option")).to_have_text(["All", "Open", "Partially paid", "Overdue", "Paid", "Void"])
    status.select_option(label="Paid")
    expect(row_of(page, ticked)).to_have_count(0)
    expect(row_of(page, paid_elsewhere)).to_be_visible()
    assert "status=paid" in page.url
