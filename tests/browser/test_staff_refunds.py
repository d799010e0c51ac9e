"""A biller refunds a card payment from the staff invoice page, and the client sees it in the portal by
itself; an overpaid invoice offers "Refund the surplus". The staff's note never reaches the client."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from tests.browser.portal import sign_in, toast
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    card_payments_of,
    connect_stripe,
    give_portal_access,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    mark_paid_by_check,
)
from tests.stripe.browser import pay

pytestmark = pytest.mark.browser

NOTE = "Agreed by phone with the client after the late cancellation"


def _client_paid_by_card(http, localstripe, total: int):
    practice = make_practice_via_api(http, name="Calm Therapy")
    connect_stripe(http, practice, localstripe.url)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    token = give_portal_access(http, practice, ada["id"], email=email)
    invoice_id = make_invoice(practice.group_id, ada["id"], total)
    client = {"Authorization": f"Bearer {token}"}
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=client, json={}).json()
    assert pay(http, client, started).json()["status"] == "succeeded"
    return practice, email, invoice_id


def test_a_refund_from_the_staff_invoice_page_appears_in_the_clients_portal(http, localstripe, new_page, screenshots):
    practice, email, invoice_id = _client_paid_by_card(http, localstripe, 12_000)

    # The client's page is open before the refund; it should show it without anyone telling it to.
    mine = sign_in(new_page(), email, CLIENT_PASSWORD)
    mine.goto(f"/portal/#/billing/{invoice_id}")
    expect(mine.get_by_role("heading", name=re.compile("INV-000001"))).to_contain_text("Paid")

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/invoices/{invoice_id}")
    payments = page.get_by_role("table", name="Payments on invoice INV-000001")
    payments.get_by_role("button", name="Refund the $120.00 payment").click()
    dialog = page.get_by_role("dialog", name="Refund a payment")
    expect(dialog).to_contain_text("Up to $120.00 can still be refunded.")
    expect(dialog.get_by_label("Amount (USD)")).to_have_value("120.00")

    # More than the payment: said in the dialog, nothing sent.
    dialog.get_by_label("Amount (USD)").fill("130.00")
    dialog.get_by_role("button", name="Refund").click()
    expect(dialog.get_by_role("alert")).to_contain_text("At most $120.00 can be refunded.")

    dialog.get_by_label("Amount (USD)").fill("50.00")
    dialog.get_by_label("Reason").select_option("requested_by_customer")
    dialog.get_by_label("Note").fill(NOTE)
    screenshots(page, "staff-refund-dialog", full_page=False)
    dialog.get_by_role("button", name="Refund").click()
    expect(dialog).to_have_count(0)
    expect(toast(page)).to_contain_text("Refunded $50.00 to the client.")
    expect(payments).to_contain_text("$50.00 refunded · requested by the client")
    expect(payments).to_contain_text(NOTE)
    expect(page.get_by_role("heading", name=re.compile("INV-000001"))).to_contain_text("Partially paid")
    screenshots(page, "staff-invoice-refunded")
    assert [p.refunded_cents for p in card_payments_of(invoice_id)] == [5_000]

    # The client's portal: the refund and the balance, and nothing of the staff's note. A reload shows it
    # at once; the open page gets there on its own poll too.
    mine.reload()
    table = mine.get_by_role("table", name="Payments on invoice INV-000001")
    expect(table).to_contain_text("$50.00")
    expect(mine.locator(".amounts")).to_contain_text("$50.00")
    expect(mine.get_by_text(NOTE)).to_have_count(0)
    screenshots(mine, "client-invoice-refunded")
    phone = sign_in(new_page(width=375, height=812), email, CLIENT_PASSWORD)
    phone.goto(f"/portal/#/billing/{invoice_id}")
    expect(phone.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("$50.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_an_overpaid_invoice_offers_to_refund_the_surplus(http, localstripe, new_page, screenshots):
    practice, _email, invoice_id = _client_paid_by_card(http, localstripe, 15_000)
    # A cheque for the same invoice was recorded too: 30.00 more than owed.
    mark_paid_by_check(practice.group_id, invoice_id, 3_000, received_date=date(2026, 4, 2), reference=None)

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/invoices/{invoice_id}")
    offer = page.get_by_role("button", name="Refund the surplus ($30.00)")
    expect(offer).to_be_visible()
    screenshots(page, "staff-invoice-surplus-offer")
    offer.click()
    dialog = page.get_by_role("dialog", name="Refund the surplus")
    expect(dialog.get_by_label("Amount (USD)")).to_have_value("30.00")
    dialog.get_by_label("Reason").select_option("duplicate")
    dialog.get_by_role("button", name="Refund").click()
    expect(toast(page)).to_contain_text("Refunded $30.00 to the client.")
    expect(offer).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("INV-000001"))).not_to_contain_text("Overpaid")
    with session_scope() as session:
        invoice = session.get(Invoice, uuid.UUID(invoice_id))
        assert (invoice.status, invoice.overpaid_cents, invoice.paid_cents) == ("paid", 0, 15_000)
