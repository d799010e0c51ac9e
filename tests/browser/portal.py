"""What a person does in the portal, as steps the tests read like sentences."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from tests.factories import Practice

WEBHOOK_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
]


def sign_in(page, email: str, password: str):
    page.goto("/portal/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    return page


def connect_stripe(http: httpx.Client, practice: Practice, api_base: str) -> dict[str, str]:
    """The admin enters the practice's Stripe keys (pointed at the test's stand-in)."""
    tag = uuid.uuid4().hex[:16]
    keys = {"secret_key": f"sk_test_{tag}", "publishable_key": f"pk_test_{tag}", "webhook_secret": f"whsec_{tag}"}
    r = http.put("/v1/settings/stripe", headers=practice.admin, json={**keys, "api_base": api_base})
    assert r.status_code == 200, r.text
    return keys


def invoice_services(
    http: httpx.Client, practice: Practice, service_ids: list[str], invoiced_date: str = "2026-04-01"
) -> list[str]:
    """What a biller's "Update" does, over the API (setup for the client's tests). Returns invoice ids."""
    r = http.post(
        "/v1/invoicing/runs", headers=practice.biller, json={"service_ids": service_ids, "invoiced_date": invoiced_date}
    )
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = http.get(f"/v1/invoicing/runs/{run_id}", headers=practice.biller).json()
        if run["status"] in ("succeeded", "failed"):
            assert run["status"] == "succeeded", run
            return run["invoice_ids"]
        time.sleep(0.2)
    raise AssertionError("the invoicing run did not finish")


def row_of(page, key: str):
    return page.locator(f'tr[data-key="{key}"]')


def unpaid_badge(page):
    return page.get_by_test_id("unpaid-count")


def payment_element(page):
    """The Payment Element the Stripe.js stand-in mounted (Stripe's own renders the same fields in a frame)."""
    return page.locator(".payment-element")


def type_card(page, number: str, expiry: str = "12 / 30", cvc: str = "123", postal_code: str = "10001") -> None:
    """Type a card into the Payment Element's card tab."""
    element = payment_element(page)
    tab = element.get_by_role("tab", name="Card")
    if tab.count():
        tab.click()
    element.get_by_label("Card number").fill(number)
    element.get_by_label("Expiration date").fill(expiry)
    element.get_by_label("Security code").fill(cvc)
    element.get_by_label("ZIP code").fill(postal_code)


def type_bank_account(
    page, name: str = "Robin Client", routing_number: str = "110000000", account_number: str = "000123456789"
) -> None:
    """Choose the US bank account tab (ACH Direct Debit) and enter the account."""
    element = payment_element(page)
    element.get_by_role("tab", name="US bank account").click()
    element.get_by_label("Account holder name").fill(name)
    element.get_by_label("Routing number").fill(routing_number)
    element.get_by_label("Account number").fill(account_number)


def money_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def toast(page):
    """The page's aria-live status region (where "Done", "Copied", "Payment received" are said)."""
    return page.locator("#status")
