"""A biller meets a client's card payment still under way, and the staff alerts on an invoice page.

The mark-paid dialog says a card payment is waiting for the client's bank and offers to cancel it
at Stripe first; the invoice page shows each open alert in its own words ("Refund the surplus…")
with a "Mark handled" button; a charge Stripe made for another amount reads "Under review"."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from shared.db.engine import session_scope
from shared.payments.card import apply_payment_intent
from tests.browser.portal import row_of, sign_in, toast
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    card_payments_of,
    connect_stripe,
    give_portal_access,
    make_card_payment,
    make_client_via_api,
    make_invoice,
    make_practice_via_api,
    mark_paid_by_check,
)
from tests.stripe.browser import THREE_D_SECURE, pay
from tests.stripe_events import payment_intent

pytestmark = pytest.mark.browser


def test_biller_cancels_a_waiting_card_payment_to_mark_the_invoice_paid(http, localstripe, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    connect_stripe(http, practice, localstripe.url)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    token = give_portal_access(http, practice, ada["id"])
    invoice_id = make_invoice(practice.group_id, ada["id"], 30_000)
    client = {"Authorization": f"Bearer {token}"}
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=client, json={}).json()
    assert pay(http, client, started, card=THREE_D_SECURE).json()["status"] == "requires_action"

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto("/portal/#/invoices?tab=invoiced")
    row = row_of(page, invoice_id)
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Edit selected").click()
    dialog = page.get_by_role("dialog", name="Mark invoices paid")
    cancel_first = dialog.get_by_role("checkbox", name=re.compile("Cancel the client’s card payment"))
    expect(cancel_first).to_be_hidden()
    dialog.get_by_label("Method").select_option("check")
    dialog.get_by_role("button", name="Mark paid").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "A client’s card payment is under way on INV-000001 (their bank"
    )
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was recorded")
    expect(cancel_first).to_be_visible()
    screenshots(page, "staff-mark-paid-card-in-flight", full_page=False)
    assert [p.status for p in card_payments_of(invoice_id)] == ["requires_action"]

    cancel_first.check()
    dialog.get_by_role("button", name="Mark paid").click()
    expect(dialog).to_have_count(0)
    expect(toast(page)).to_contain_text("1 unfinished card payment closed; nothing was charged on it.")
    expect(row).to_contain_text("Paid")
    assert [p.status for p in card_payments_of(invoice_id)] == ["canceled"]

    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(f"/portal/#/invoices/{invoice_id}")
    expect(phone.get_by_role("table", name="Payments on invoice INV-000001")).to_contain_text("Canceled")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-invoice-card-canceled-375")


def test_the_invoice_page_shows_open_alerts_and_a_biller_marks_one_handled(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    gid = uuid.UUID(practice.group_id)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    give_portal_access(http, practice, ada["id"], email=email)
    # A card payment that landed after a cheque (overpaid), and a charge Stripe made for 1 cent.
    invoice_id = make_invoice(practice.group_id, ada["id"], 15_000)
    _, pi_id = make_card_payment(gid, uuid.UUID(invoice_id), 15_000)
    mark_paid_by_check(gid, uuid.UUID(invoice_id), 15_000)
    other_id = make_invoice(practice.group_id, ada["id"], 8_000)
    _, other_pi = make_card_payment(gid, uuid.UUID(other_id), 8_000)
    with session_scope() as session:
        apply_payment_intent(
            session, gid, payment_intent(pi_id=pi_id, amount=15_000, status="succeeded"), source="webhook"
        )
        apply_payment_intent(
            session, gid, payment_intent(pi_id=other_pi, amount=1, status="succeeded"), source="webhook"
        )

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.goto(f"/portal/#/invoices/{invoice_id}")
    notice = page.locator('.alert-notice[data-alert-kind="overpayment"]')
    expect(notice).to_contain_text("Refund the surplus of $150.00 to the client.")
    expect(page.get_by_text("More was paid than owed")).to_have_count(0)  # the alert says it, once
    screenshots(page, "staff-invoice-overpayment-alert")
    notice.get_by_role("button", name="Mark handled").click()
    expect(toast(page)).to_contain_text("Marked handled.")
    expect(notice).to_have_count(0)
    # Still overpaid, but no longer an open task: the general note stays as a reminder of the figures.
    expect(page.get_by_text("More was paid than owed")).to_be_visible()

    page.goto(f"/portal/#/invoices/{other_id}")
    mismatch = page.locator('.alert-notice[data-alert-kind="payment_intent_mismatch"]')
    expect(mismatch).to_contain_text("Stripe took $0.01 on the card payment of $80.00")
    expect(page.get_by_role("table", name="Payments on invoice INV-000002")).to_contain_text("Under review")
    expect(page.get_by_role("heading", name=re.compile("INV-000002"))).to_contain_text("Open")
    screenshots(page, "staff-invoice-mismatch-alert")
    phone = sign_in(new_page(width=375, height=812), practice.biller_email, STAFF_PASSWORD)
    phone.goto(f"/portal/#/invoices/{other_id}")
    expect(phone.locator(".alert-notice")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "staff-invoice-mismatch-alert-375")

    # The client sees the odd charge as under review, and none of the staff's alerts.
    for width, name in ((1280, "client-invoice-mismatch"), (375, "client-invoice-mismatch-375")):
        mine = sign_in(new_page(width=width, height=860), email, CLIENT_PASSWORD)
        mine.goto(f"/portal/#/billing/{other_id}")
        expect(mine.get_by_text("Under review")).to_be_visible()
        expect(mine.locator(".alert-notice")).to_have_count(0)
        expect(mine.get_by_text("Stripe took")).to_have_count(0)
        screenshots(mine, name)
