"""What a person does in the portal, as steps the tests read like sentences."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from tests.factories import Practice

WEBHOOK_EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.processing",
                  "payment_intent.requires_action", "payment_intent.canceled"]


def sign_in(page, email: str, password: str):  # noqa: ANN001, ANN201
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


def invoice_services(http: httpx.Client, practice: Practice, service_ids: list[str],
                     invoiced_date: str = "2026-04-01") -> list[str]:
    """What a biller's "Update" does, over the API (setup for the client's tests). Returns invoice ids."""
    r = http.post("/v1/invoicing/runs", headers=practice.biller,
                  json={"service_ids": service_ids, "invoiced_date": invoiced_date})
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


def row_of(page, key: str):  # noqa: ANN001, ANN201
    return page.locator(f'tr[data-key="{key}"]')


def unpaid_badge(page):  # noqa: ANN001, ANN201
    return page.get_by_test_id("unpaid-count")


def type_card(page, number: str, exp_month: str = "12", exp_year: str = "30", cvc: str = "123",
              postal_code: str = "10001") -> None:  # noqa: ANN001
    """Type into the card field Stripe.js mounted (the stand-in's inputs are named by placeholder)."""
    card = page.locator(".card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill(exp_month)
    card.get_by_placeholder("exp_year").fill(exp_year)
    card.get_by_placeholder("cvc").fill(cvc)
    card.get_by_placeholder("postal_code").fill(postal_code)


def money_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def toast(page):  # noqa: ANN001, ANN201
    """The page's aria-live status region (where "Done", "Copied", "Payment received" are said)."""
    return page.locator("#status")
