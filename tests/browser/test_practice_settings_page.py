"""An admin runs the practice's settings from one page: name, payment terms, part payments and their
minimum, the letterhead with a logo, the reply-to address — each save sends only what changed and is
audited; a wrong NPI is refused with nothing saved; a biller has no settings page. At 1280 and 375 px."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.portal import sign_in, toast
from tests.factories import STAFF_PASSWORD, make_practice_via_api

pytestmark = pytest.mark.browser


def test_an_admin_changes_the_practice_settings(http, new_page, screenshots, tmp_path):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Practice settings")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Calm Therapy")

    # A wrong NPI: said, focused, and nothing saved (the name typed beside it neither).
    page.get_by_label("Name").fill("Calm Therapy Group")
    page.get_by_label("NPI").fill("1234567890")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("NPI")).to_be_focused()
    assert http.get("/v1/settings", headers=practice.admin).json()["name"] == "Calm Therapy"

    page.get_by_label("NPI").fill("1234567893")
    page.get_by_label("Address", exact=True).fill("12 Harbour Street\nSuite 4\nPortland, ME 04101")
    page.get_by_label("Payment terms").select_option("net_15")
    page.get_by_label("Clients may pay part of an invoice").check()
    page.get_by_label("Smallest part payment (USD)").fill("25.00")
    page.get_by_label("Reply-to address").fill("front-desk@calm.example")
    page.get_by_role("button", name="Save changes").click()
    expect(toast(page)).to_contain_text("Saved (7 changes).")
    expect(page.locator("#practice-name")).to_have_text("Calm Therapy Group")

    saved = http.get("/v1/settings", headers=practice.admin).json()
    assert saved["name"] == "Calm Therapy Group" and saved["npi"] == "1234567893"
    assert saved["address_lines"] == ["12 Harbour Street", "Suite 4", "Portland, ME 04101"]
    assert (saved["payment_terms"], saved["allow_partial_payments"], saved["minimum_payment_cents"]) == (
        "net_15",
        True,
        2_500,
    )
    assert saved["reply_to_email"] == "front-desk@calm.example"
    audit = http.get("/v1/audit-events", headers=practice.admin, params={"entity": "group"}).json()["data"]
    changes = [e["data"] for e in audit if e["action"] == "settings.updated"]
    assert len(changes) == 1 and set(changes[0]) == {
        "name",
        "npi",
        "address_lines",
        "payment_terms",
        "allow_partial_payments",
        "minimum_payment_cents",
        "reply_to_email",
    }

    # Saving again without a change sends nothing.
    page.get_by_role("button", name="Save changes").click()
    expect(toast(page)).to_contain_text("Nothing changed.")

    # A logo: uploaded, shown, printed on new PDFs; then removed.
    logo = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (30, 110, 160, 255)).save(out, "PNG")
    logo.write_bytes(out.getvalue())
    page.get_by_label("Upload a logo (PNG or JPEG, at most 512 KB)").set_input_files(str(logo))
    expect(page.get_by_role("img", name="The practice’s logo")).to_be_visible()
    assert http.get("/v1/settings", headers=practice.admin).json()["logo"] is not None
    screenshots(page, "admin-practice-settings")
    page.get_by_role("button", name="Remove logo").click()
    expect(page.get_by_text("No logo: invoices print the practice’s name only.")).to_be_visible()
    assert http.get("/v1/settings", headers=practice.admin).json()["logo"] is None

    phone = sign_in(new_page(width=375, height=812), practice.admin_email, STAFF_PASSWORD)
    phone.goto(phone.url.split("#")[0] + "#/settings/practice")
    expect(phone.get_by_label("Name")).to_have_value("Calm Therapy Group")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "admin-practice-settings-375")


def test_a_biller_has_no_settings_page(http, new_page):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/settings/practice")
    expect(page.get_by_role("heading", name="Practice settings")).to_have_count(0)
