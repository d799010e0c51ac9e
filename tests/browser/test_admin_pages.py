"""An admin sets up billing rates, flips a service to self-pay, and connects Stripe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.portal import row_of, sign_in, toast
from tests.factories import STAFF_PASSWORD, make_client_via_api, make_practice_via_api, make_service_via_api

pytestmark = pytest.mark.browser


def test_admin_creates_a_rate_makes_a_self_pay_copy_and_flips_a_service(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)

    page.get_by_role("link", name="Billing rates").click()
    expect(page.get_by_role("heading", name="Billing rates")).to_be_visible()
    page.get_by_role("button", name="New billing rate").click()
    dialog = page.get_by_role("dialog", name="New billing rate")
    dialog.get_by_label("Name").fill("General Service")
    dialog.get_by_label("Amount (USD)").fill("150")
    dialog.get_by_label("Yes").check()
    expect(dialog.get_by_label("Is Invoiced")).not_to_be_checked()
    dialog.get_by_label("Payer").select_option("insurance")
    screenshots(page, "admin-billing-rate-dialog", full_page=False)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    rates = page.get_by_role("table", name="Billing rates")
    expect(rates).to_contain_text("General Service")
    expect(rates).to_contain_text("$150.00")

    page.get_by_role("button", name="Edit General Service").click()
    edit = page.get_by_role("dialog", name="Edit General Service")
    expect(edit.get_by_label("Amount (USD)")).to_have_value("150.00")
    edit.get_by_label("Amount (USD)").fill("160.50")
    edit.get_by_role("button", name="Save").click()
    expect(rates).to_contain_text("$160.50")

    page.get_by_role("button", name="Make a self-pay copy of General Service").click()
    expect(rates).to_contain_text("General Service (Self-Pay)")
    copy_row = rates.locator("tr", has_text="General Service (Self-Pay)")
    expect(copy_row).to_contain_text("Self-pay")
    screenshots(page, "admin-billing-rates")

    # A service pushed on the insurance rate is flipped to the self-pay copy while uninvoiced.
    rate_ids = {r["name"]: r["id"] for r in http.get("/v1/billing-rates", headers=practice.admin).json()["data"]}
    client = make_client_via_api(http, practice, name="Ada Lovelace")
    service = make_service_via_api(http, practice, client["id"], rate_ids["General Service"], service_date="2026-03-02")
    page.get_by_role("link", name="Services").click()
    row = row_of(page, service["id"])
    expect(row).to_contain_text("Ada Lovelace")
    row.get_by_role("combobox").select_option(rate_ids["General Service (Self-Pay)"])
    expect(toast(page)).to_contain_text("Billing rate changed to General Service (Self-Pay)")
    expect(row.get_by_role("combobox")).to_be_focused()
    screenshots(page, "staff-services")
    queue = http.get("/v1/invoicing/queue", headers=practice.biller).json()["data"]
    assert [s["id"] for s in queue] == [service["id"]]

    # A biller reads the rates but may not change them.
    biller = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    biller.goto("/portal/#/billing-rates")
    expect(biller.get_by_role("table", name="Billing rates")).to_contain_text("General Service (Self-Pay)")
    expect(biller.get_by_role("button", name="New billing rate")).to_have_count(0)
    expect(biller.get_by_role("button", name=re.compile("Edit"))).to_have_count(0)
    biller.goto("/portal/#/settings/stripe")
    expect(biller.get_by_role("heading", name="Invoices")).to_be_visible()


def test_admin_connects_stripe_sees_health_reconciles_and_disconnects(http, worker, localstripe, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("link", name="Stripe").click()
    expect(page.get_by_text("Not connected")).to_be_visible()

    # Two keys, as the seed's admin enters them: clinicpay makes the webhook endpoint itself.
    expect(page.get_by_label("Webhook signing secret (optional)")).to_be_hidden()  # the fallback is folded away
    page.get_by_label("Secret key").fill("sk_test_browser4242abcd")
    page.get_by_label("Publishable key").fill("pk_test_browser4242abcd")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    expect(page.get_by_text("•••• abcd")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Created by clinicpay \(we_"))).to_be_visible()
    expect(page.get_by_text("On for 127.0.0.1")).to_be_visible()
    ach = page.get_by_label(re.compile("pay by bank debit"))
    expect(ach).not_to_be_checked()
    ach.check()
    expect(toast(page)).to_contain_text("Bank debits (ACH) are on.")
    assert http.get("/v1/settings", headers=practice.admin).json()["ach_debit_enabled"] is True
    assert "sk_test_browser4242abcd" not in page.content()
    webhook_url = page.get_by_label(re.compile("Webhook URL"))
    expect(webhook_url).to_have_value(re.compile(rf"/v1/stripe/webhooks/{practice.group_id}$"))
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()").endswith(practice.group_id)

    # The worker may have started before this session's stand-in did, so it does not know the
    # stand-in is this practice's Stripe; say so on the practice itself (an option tests have).
    r = http.put(
        "/v1/settings/stripe",
        headers=practice.admin,
        json={
            "secret_key": "sk_test_browser4242abcd",
            "publishable_key": "pk_test_browser4242abcd",
            "api_base": localstripe.url,
        },
    )
    assert r.status_code == 200, r.text
    page.get_by_role("button", name="Reconcile now").click()
    expect(toast(page)).to_contain_text("Reconciliation finished", timeout=30_000)
    expect(page.locator(".facts").last).not_to_contain_text("Never")
    screenshots(page, "admin-stripe-settings")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(page, "admin-stripe-settings-375")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("button", name="Disconnect Stripe").click()
    confirm = page.get_by_role("dialog", name="Disconnect Stripe?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Not connected")).to_be_visible()


def test_a_wrong_password_is_explained_on_the_sign_in_screen(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = new_page()
    page.goto("/portal/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill(practice.biller_email)
    page.get_by_label("Password").fill("not-the-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("That email and password don’t match")
    screenshots(page, "sign-in")


def test_keyboard_only_staff_moves_through_tabs_with_a_visible_focus(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    queue_tab = page.get_by_role("tab", name="Invoices")
    expect(queue_tab).to_have_attribute("aria-selected", "true")
    page.reload()
    expect(queue_tab).to_be_visible()
    page.keyboard.press("Tab")  # from the top of the page, the first stop is the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    queue_tab.focus()
    page.keyboard.press("ArrowRight")
    invoiced_tab = page.get_by_role("tab", name="Invoiced")
    expect(invoiced_tab).to_be_focused()
    expect(invoiced_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Status")).to_be_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "keyboard focus must be visible"
    page.keyboard.press("ArrowLeft")
    expect(queue_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("From")).to_be_visible()


def test_on_a_phone_the_admin_menu_is_one_row_that_scrolls_to_the_page_shown(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, practice.admin_email, STAFF_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Invoices")).to_have_attribute("aria-current", "page")

    def box(locator):
        return locator.bounding_box()

    # Nine items, one row: the menu is as tall as one of its links, and the page itself never scrolls sideways.
    first, last = nav.get_by_role("link", name="Invoices"), nav.get_by_role("link", name="Stripe")
    assert box(first)["y"] == box(last)["y"]
    assert box(nav)["height"] < 2 * box(first)["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(page, "admin-menu-375", full_page=False)

    # The last item's page: its item is scrolled into the row's view, and marked as the current page.
    page.goto(page.url.split("#")[0] + "#/settings/stripe")
    expect(page.get_by_role("heading", name=re.compile("Stripe"))).to_be_visible()
    expect(last).to_have_attribute("aria-current", "page")
    row, item = box(nav), box(last)
    assert row["x"] <= item["x"] and item["x"] + item["width"] <= row["x"] + row["width"] + 1
    assert page.evaluate("window.scrollY") == 0
    screenshots(page, "admin-menu-375-stripe", full_page=False)

    # At 1280 px every item shows at once, on one row beside the practice's name.
    page.set_viewport_size({"width": 1280, "height": 860})
    assert box(first)["y"] == box(last)["y"]
    assert page.evaluate("document.getElementById('nav').scrollWidth <= document.getElementById('nav').clientWidth")


def test_money_and_dates_follow_the_currency_and_the_practice(http, new_page):
    practice = make_practice_via_api(http, name="Tokyo Calm", currency="JPY", timezone="Asia/Tokyo")
    page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
    shown = page.evaluate("""async () => {
        const f = await import('/portal/js/format.js');
        return [f.money(123456, 'USD'), f.money(1234), f.money(1234567, 'BHD'), f.money(-5, 'EUR'),
                f.parseMoney('12.5', 'USD'), f.parseMoney('1,200', 'JPY'), f.parseMoney('12.345', 'USD'),
                f.date('2026-03-01'), f.dateTime('2026-03-01T23:30:00+00:00')];
    }""")
    assert shown[0] == "$1,234.56"
    assert shown[1] == "¥1,234"  # JPY has no minor unit: 1234 is ¥1,234
    assert shown[2].endswith("1,234.567")
    assert shown[3] == "-€0.05"
    assert shown[4:7] == [1250, 1200, None]
    assert shown[7] == "Mar 1, 2026"  # a calendar day never shifts with the zone
    assert shown[8].startswith("Mar 2, 2026")  # 23:30 UTC is the next morning in Tokyo


def test_stripe_refusing_our_receiver_is_explained_and_the_fallback_offered(
    http, worker, localstripe, new_page, screenshots
):
    import httpx

    practice = make_practice_via_api(http, name="Calm Therapy")
    httpx.post(f"{localstripe.url}/_standin/config", json={"public_urls_only": True}, timeout=10).raise_for_status()
    try:
        page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
        page.get_by_role("link", name="Stripe").click()
        page.get_by_label("Secret key").fill("sk_test_unreachable9999")
        page.get_by_label("Publishable key").fill("pk_test_unreachable9999")
        page.get_by_role("button", name="Connect").click()
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
        notice = page.locator('[data-problem="webhook_url_not_public"]')
        expect(notice).to_contain_text("CLINICPAY_PUBLIC_WEBHOOK_BASE_URL")
        expect(notice).to_contain_text("reconciliation")
        expect(page.get_by_label("Webhook signing secret (optional)")).to_be_visible()  # the fallback, opened
        screenshots(page, "admin-stripe-settings-webhook-refused")
        page.get_by_label("Secret key").fill("sk_test_unreachable9999")
        page.get_by_label("Publishable key").fill("pk_test_unreachable9999")
        page.get_by_label("Webhook signing secret (optional)").fill("whsec_fromthedashboard9")
        page.get_by_role("button", name="Replace keys").click()
        expect(page.get_by_text("Your own endpoint (signing secret saved)")).to_be_visible()
        expect(page.locator('[data-problem="webhook_url_not_public"]')).to_have_count(0)
    finally:
        httpx.post(f"{localstripe.url}/_standin/config", json={"public_urls_only": False}, timeout=10)
