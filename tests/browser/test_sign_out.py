"""Signing out in the portal ends the sign-in at the API, and a staff member with a second factor
signs in with the code their app shows."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.portal import sign_in, toast
from tests.factories import (
    CLIENT_PASSWORD,
    STAFF_PASSWORD,
    auth,
    give_portal_access,
    make_client_via_api,
    make_practice_via_api,
)
from tests.security.authenticator import enrol
from tests.security.review import record_finding

pytestmark = pytest.mark.browser


def _token_in(page) -> str:
    token = page.evaluate("sessionStorage.getItem('clinicpay.token')")
    assert token, "the page holds no token"
    return token


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(toast(page)).to_contain_text("You are signed out.")
    assert page.evaluate("sessionStorage.getItem('clinicpay.token')") is None


@pytest.mark.parametrize("width", [1280, 375])
def test_signing_out_in_the_browser_revokes_the_token(http: httpx.Client, new_page, screenshots, width):
    practice = make_practice_via_api(http)
    page = sign_in(new_page(width=width), practice.biller_email, STAFF_PASSWORD)
    token = _token_in(page)
    assert http.get("/v1/me", headers=auth(token)).status_code == 200

    _sign_out(page)
    screenshots(page, f"portal-signed-out-{width}")
    after = http.get("/v1/invoices", headers=auth(token))
    assert after.status_code == 401 and after.json()["error"]["code"] == "invalid_token"
    # The biller's other sign-ins (here: the one the test setup made) are not touched.
    assert http.get("/v1/me", headers=practice.biller).status_code == 200
    if width == 1280:
        record_finding(
            "portal_sign_out_only_forgot_the_token",
            "3. Sessions and accounts",
            "click Sign out in the portal (Chromium), then GET /v1/invoices with the token the page held",
            f"{after.status_code} {after.json()['error']['code']}",
        )


def test_a_client_signing_out_ends_their_sign_in_too(http: httpx.Client, new_page):
    practice = make_practice_via_api(http)
    email = "casey.client@calm.example"
    give_portal_access(http, practice, make_client_via_api(http, practice)["id"], email=email)
    page = sign_in(new_page(), email, CLIENT_PASSWORD)
    token = _token_in(page)
    _sign_out(page)
    assert http.get("/v1/portal/invoices", headers=auth(token)).status_code == 401


@pytest.mark.parametrize("width", [1280, 375])
def test_a_staff_member_with_a_second_factor_signs_in_with_the_code(http: httpx.Client, new_page, screenshots, width):
    practice = make_practice_via_api(http)
    app = enrol(http, practice.admin)
    page = new_page(width=width)
    page.goto("/portal/")
    page.get_by_label("Email").fill(practice.admin_email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_hidden()
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    expect(code_field).to_be_focused()
    code_field.fill(app.wrong_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code didn’t work.")).to_be_visible()
    screenshots(page, f"portal-sign-in-code-{width}")

    code_field.fill(app.code())
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    expect(page.get_by_text(practice.admin_email)).to_be_visible()
