"""The operator signs in to a console, creates a practice with its first admin (who can then sign in),
and sees every practice's counts and sync health and the platform's background work — never a
practice's clients. At 1280 and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.portal import sign_in, toast
from tests.factories import (
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    STAFF_PASSWORD,
    login,
    make_client_via_api,
    make_practice_via_api,
    operator_token,
)

pytestmark = pytest.mark.browser


def test_the_operator_creates_a_practice_and_watches_the_platform(http, new_page, screenshots):
    operator_token(http)  # the operator's login exists
    existing = make_practice_via_api(http, name="Calm Therapy")
    make_client_via_api(http, existing, name="Ada Lovelace")

    page = sign_in(new_page(), OPERATOR_EMAIL, OPERATOR_PASSWORD)
    expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
    practices = page.get_by_role("table", name="Practices")
    calm = practices.locator("tr", has_text="Calm Therapy")
    expect(calm.locator('td[data-label="Clients"]')).to_have_text("1")
    expect(calm).to_contain_text("Not connected")
    expect(page.get_by_text("Ada Lovelace")).to_have_count(0)

    page.get_by_role("button", name="New practice").click()
    dialog = page.get_by_role("dialog", name="New practice")
    dialog.get_by_label("Practice name").fill("Harbour Counselling")
    dialog.get_by_label("Currency").fill("cad")
    dialog.get_by_label("Time zone").select_option("America/Halifax")
    dialog.get_by_label("First admin’s email").fill("owner@harbour.example")
    dialog.get_by_label("First admin’s password").fill(STAFF_PASSWORD)
    dialog.get_by_role("button", name="Create practice").click()
    expect(dialog).to_have_count(0)
    expect(toast(page)).to_contain_text("Harbour Counselling created")
    harbour = practices.locator("tr", has_text="Harbour Counselling")
    expect(harbour.locator('td[data-label="Staff"]')).to_have_text("1")
    assert login(http, "owner@harbour.example", STAFF_PASSWORD)
    expect(page.get_by_text("Stripe events failing")).to_be_visible()
    expect(calm.locator('td[data-label="Stripe events"]')).to_have_text("none waiting")
    screenshots(page, "operator-console")

    phone = sign_in(new_page(width=375, height=812), OPERATOR_EMAIL, OPERATOR_PASSWORD)
    expect(phone.get_by_role("table", name="Practices").locator("tbody tr")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "operator-console-375")
