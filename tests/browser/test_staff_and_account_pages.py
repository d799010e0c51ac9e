"""Staff and "My account" on pages: an admin adds a biller, changes a role, deactivates a colleague
(whose sign-in stops at once, with the keys they made listed), creates an API key shown once and
revokes it; a biller changes their own password; a practice that requires a second factor sends a
staff member without one to enrol it before anything else, and the next sign-in asks for a code.
At 1280 and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.portal import sign_in, toast
from tests.conftest import poll_until
from tests.factories import STAFF_PASSWORD, login, make_practice_via_api
from tests.security.authenticator import Authenticator

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-much-longer-passphrase-42"


def _invitation_token(mailbox, address: str) -> str | None:
    """The token in the set-password link of the invitation to `address` the SMTP server received."""
    for message in mailbox.to(address):
        for link in message.links:
            if "set-password?token=" in link:
                return link.split("token=", 1)[1]
    return None


def test_an_admin_manages_staff_and_api_keys(http, worker, mailbox, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.admin_email, STAFF_PASSWORD)
    page.get_by_role("link", name="Staff").click()
    staff = page.get_by_role("table", name="Staff")
    expect(staff.locator("tbody tr")).to_have_count(2)  # the admin and the biller

    # An invitation by email; Sam chooses a password from the link and then appears in the list.
    page.get_by_role("button", name="Invite staff member").click()
    dialog = page.get_by_role("dialog", name="Invite a staff member")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Enter their email.")
    dialog.get_by_label("Email").fill("sam@calm.example")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog).to_have_count(0)
    expect(toast(page)).to_contain_text("Invitation sent to sam@calm.example.")
    token = poll_until(lambda: _invitation_token(mailbox, "sam@calm.example"), timeout=30, message="the invitation")
    r = http.post("/v1/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    assert r.status_code == 200, r.text
    page.reload()
    expect(staff.locator("tbody tr")).to_have_count(3)
    assert login(http, "sam@calm.example", STAFF_PASSWORD)

    # Sam becomes an admin, then back a biller.
    staff.get_by_label("Role of sam@calm.example").select_option("admin")
    expect(toast(page)).to_contain_text("sam@calm.example is now admin.")
    staff.get_by_label("Role of sam@calm.example").select_option("biller")
    expect(toast(page)).to_contain_text("is now biller.")

    # An API key: shown once, listed by its last four characters only.
    page.get_by_role("button", name="New API key").click()
    key_dialog = page.get_by_role("dialog", name="New API key")
    key_dialog.get_by_label("Name").fill("EHR sync")
    key_dialog.get_by_role("button", name="Create key").click()
    shown = page.get_by_role("dialog", name="API key “EHR sync”")
    key = shown.get_by_label("The new API key").input_value()
    assert key.startswith("cpk_")
    shown.get_by_role("button", name="I have copied it").click()
    keys = page.get_by_role("table", name="API keys")
    expect(keys).to_contain_text(f"…{key[-4:]}")
    expect(keys).not_to_contain_text(key)
    assert http.get("/v1/clients", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    screenshots(page, "admin-staff")

    # The biller is deactivated: their sign-in stops at once.
    biller_headers = practice.biller
    assert http.get("/v1/invoices", headers=biller_headers).status_code == 200
    staff.get_by_role("button", name=f"Deactivate {practice.biller_email}").click()
    page.get_by_role("dialog", name=f"Deactivate {practice.biller_email}?").get_by_role(
        "button", name="Deactivate"
    ).click()
    expect(staff.locator("tr", has_text=practice.biller_email)).to_contain_text("Deactivated")
    assert http.get("/v1/invoices", headers=biller_headers).status_code == 401

    keys.get_by_role("button", name="Revoke the API key EHR sync").click()
    page.get_by_role("dialog", name="Revoke “EHR sync”?").get_by_role("button", name="Revoke").click()
    expect(keys).to_contain_text("Revoked")
    assert http.get("/v1/clients", headers={"Authorization": f"Bearer {key}"}).status_code == 401

    phone = sign_in(new_page(width=375, height=812), practice.admin_email, STAFF_PASSWORD)
    phone.goto(phone.url.split("#")[0] + "#/settings/staff")
    expect(phone.get_by_role("table", name="Staff").locator("tbody tr")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "admin-staff-375")


def test_a_biller_changes_their_password_on_my_account(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    page.get_by_role("link", name=practice.biller_email).click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    page.get_by_label("Current password").fill("not-my-password-at-all")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("current password is not right")
    page.get_by_label("Current password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(toast(page)).to_contain_text("Password changed.")
    screenshots(page, "staff-my-account")
    assert login(http, practice.biller_email, NEW_PASSWORD)


def test_a_required_second_factor_is_enrolled_before_anything_else(http, new_page, screenshots):
    practice = make_practice_via_api(http, name="Calm Therapy")
    r = http.patch("/v1/settings", headers=practice.admin, json={"require_staff_totp": True})
    assert r.status_code == 200, r.text

    page = sign_in(new_page(), practice.biller_email, STAFF_PASSWORD)
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text("Your practice requires a second sign-in step.")).to_be_visible()
    expect(page.get_by_role("link", name="Invoices")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/invoices")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()

    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    app = Authenticator(secret)
    page.get_by_label("Code").fill(app.wrong_code())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right.")
    screenshots(page, "staff-enrol-second-factor")
    page.get_by_label("Code").fill(app.code())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("link", name="Invoices")).to_be_visible()

    # The next sign-in asks for a code after the password.
    again = new_page()
    again.goto("/portal/")
    again.get_by_label("Email").fill(practice.biller_email)
    again.get_by_label("Password").fill(STAFF_PASSWORD)
    again.get_by_role("button", name="Sign in").click()
    code = again.get_by_label("Code from your authenticator app")
    expect(code).to_be_visible()
    code.fill(app.code())
    again.get_by_role("button", name="Sign in").click()
    expect(again.get_by_role("link", name="Invoices")).to_be_visible()
