"""Due dates on the pages: a biller picks one in the run dialog; the Invoiced tab shows Due and an
Overdue pill and filters by it; the client's Billing page shows the due date and Overdue too."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from tests.browser.portal import invoice_services, row_of, sign_in
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    give_portal_access,
    make_client_via_api,
    make_practice_via_api,
    make_rate_via_api,
    make_service_via_api,
)

pytestmark = pytest.mark.browser


def test_a_due_date_chosen_in_the_run_and_overdue_shown_to_staff_and_client(http, worker, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    rate = make_rate_via_api(http, practice, name="General Service (Self-Pay)", amount_cents=15_000)
    early = make_service_via_api(http, practice, ada["id"], rate["id"], service_date="2026-03-02")
    current = make_service_via_api(http, practice, ada["id"], rate["id"], service_date="2026-03-09")
    [overdue_id] = invoice_services(http, practice, [early["id"]], invoiced_date="2026-03-31")  # due on receipt

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(row_of(page, current["id"])).to_be_visible()  # the one service still to invoice
    page.get_by_role("checkbox", name="Select all services").check()
    page.get_by_role("button", name="Edit selected").click()
    dialog = page.get_by_role("dialog", name="Invoice the selected services")
    dialog.get_by_label("Invoiced date").fill("2099-01-01")
    dialog.get_by_label("Due date (optional)").fill("2099-01-31")
    screenshots(page, "staff-invoice-run-dialog-due-date", full_page=False)
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_have_count(0, timeout=30_000)

    page.get_by_role("tab", name="Invoiced").click()
    late_row = page.locator("tr", has=page.get_by_role("link", name="INV-000001"))
    current_row = page.locator("tr", has=page.get_by_role("link", name="INV-000002"))
    expect(late_row).to_contain_text("Overdue")
    expect(late_row).to_contain_text("Mar 31, 2026")
    expect(current_row).to_contain_text("Jan 31, 2099")
    expect(current_row).not_to_contain_text("Overdue")
    screenshots(page, "staff-invoiced-tab-overdue")

    page.get_by_label("Status").select_option(label="Overdue")
    expect(current_row).to_have_count(0)
    expect(late_row).to_be_visible()
    assert "status=overdue" in page.url  # the filter survives a reload

    # The client sees the same dates, and which invoice is late.
    client_email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    give_portal_access(http, practice, ada["id"], email=client_email)
    for width in (1280, 375):
        client_page = sign_in(new_page(width=width, height=900), client_email, CLIENT_PASSWORD)
        late = client_page.locator("tr", has_text="INV-000001")
        expect(late).to_contain_text("Overdue")
        expect(late).to_contain_text("Mar 31, 2026")
        expect(client_page.locator("tr", has_text="INV-000002")).not_to_contain_text("Overdue")
        screenshots(client_page, f"client-billing-due-dates-{width}")

    with session_scope() as session:
        assert session.get(Invoice, uuid.UUID(overdue_id)).due_date.isoformat() == "2026-03-31"
