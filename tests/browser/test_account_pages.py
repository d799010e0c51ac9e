"""A client invited by staff follows the emailed link, sets a password and signs in; a biller who
forgot their password asks for a link on the sign-in page, follows it, sets a new one and signs in.
The emails come from the real worker through the real SMTP server."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import poll_until
from tests.factories import STAFF_PASSWORD, make_client_via_api, make_practice_via_api

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern-orchard-42-violet"


def _keep(screenshots, page, name: str) -> None:
    screenshots(page, name)


def _link(mailbox, address: str, fragment: str) -> str:
    [email] = poll_until(lambda: mailbox.to(address), message=f"the email to {address}")
    [link] = [link for link in email.links if fragment in link]
    return link


def _email_page(page, http: httpx.Client, address: str):
    """The development mailbox's page, showing the one message to `address` (for the screenshots)."""
    listed = [m for m in http.get("/dev/mailbox/messages").json() if address in m["to"]]
    page.set_content(listed[0]["html"])
    return page


@pytest.mark.parametrize("width", [1280, 375])
def test_an_invited_client_sets_a_password_and_signs_in(http, new_page, screenshots, worker, mailbox, width):
    practice = make_practice_via_api(http, name="Calm Therapy")
    client = make_client_via_api(http, practice, name="Robin Example")
    address = f"robin-{uuid.uuid4().hex[:6]}@example.com"
    r = http.post(f"/v1/clients/{client['id']}/invitations", headers=practice.biller, json={"email": address})
    assert r.status_code == 202, r.text
    link = _link(mailbox, address, "#/set-password?token=")
    _keep(screenshots, _email_page(new_page(width=width), http, address), f"email-invitation-{width}")

    page = new_page(width=width)
    page.goto("/portal/" + link.split("/portal/", 1)[1])
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    assert "token=" not in page.url  # out of the address bar once read
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("not-the-same-password")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("The two passwords are not the same.")).to_be_visible()
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    _keep(screenshots, page, f"portal-set-password-{width}")
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your password is set. Sign in with it now.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(address)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    expect(page.get_by_role("link", name="Billing")).to_be_visible()

    # The same link again, in a fresh tab: spent.
    again = new_page(width=width)
    again.goto("/portal/" + link.split("/portal/", 1)[1])
    again.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    again.get_by_label("New password again").fill(NEW_PASSWORD)
    again.get_by_role("button", name="Set password").click()
    expect(again.get_by_text("This link has expired or was already used.")).to_be_visible()
    expect(again.get_by_role("link", name="Ask for a new link")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_forgotten_password_is_reset_from_the_sign_in_page(http, new_page, screenshots, worker, mailbox, width):
    practice = make_practice_via_api(http, name="Calm Therapy")
    page = new_page(width=width)
    page.goto("/portal/")
    page.get_by_label("Email").fill(practice.biller_email)
    _keep(screenshots, page, f"portal-sign-in-forgot-link-{width}")
    page.get_by_role("link", name="Forgot password?").click()

    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(practice.biller_email)
    _keep(screenshots, page, f"portal-forgot-password-{width}")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    _keep(screenshots, page, f"portal-forgot-password-sent-{width}")

    link = _link(mailbox, practice.biller_email, "#/reset-password?token=")
    _keep(screenshots, _email_page(new_page(width=width), http, practice.biller_email), f"email-password-reset-{width}")
    page.goto("/portal/" + link.split("/portal/", 1)[1])
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("password123")
    page.get_by_label("New password again").fill("password123")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("alert")).to_contain_text("too")  # too short / too easy to guess
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    _keep(screenshots, page, f"portal-reset-password-{width}")
    page.get_by_role("button", name="Set new password").click()

    expect(page.get_by_text("Your new password is set. Sign in with it now.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    # The sign-in the test setup made before the reset has ended.
    assert http.get("/v1/me", headers=practice.biller).status_code == 401
    r = http.post("/v1/auth/token", data={"username": practice.biller_email, "password": STAFF_PASSWORD})
    assert r.status_code == 401


def test_the_no_account_and_account_exists_emails(http, new_page, screenshots, worker, mailbox):
    """Screenshots of the two notes an address's owner gets instead of a link."""
    practice = make_practice_via_api(http, name="Calm Therapy")
    stranger = f"stranger-{uuid.uuid4().hex[:6]}@example.com"
    assert http.post("/v1/auth/password-reset", json={"email": stranger}).status_code == 202
    client = make_client_via_api(http, practice)
    r = http.post(
        f"/v1/clients/{client['id']}/invitations", headers=practice.biller, json={"email": practice.admin_email}
    )
    assert r.status_code == 202
    for address, name in (
        (stranger, "email-password-reset-no-account"),
        (practice.admin_email, "email-account-exists"),
    ):
        poll_until(lambda a=address: mailbox.to(a), message=f"the email to {address}")
        for width in (1280, 375):
            _keep(screenshots, _email_page(new_page(width=width), http, address), f"{name}-{width}")
