"""What the browser's Stripe.js does in these tests, over HTTP exactly as the Stripe.js stand-in
(deploy/local/stripe_standin/stripe-js-standin.js) sends it: the publishable key in the body, never
the secret key. `confirmation_token` is `elements.submit()` + `stripe.createConfirmationToken()`;
`authenticate` is the 3-D Secure window of `stripe.handleNextAction()`."""

from __future__ import annotations

from typing import Any

import httpx

VISA = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
DECLINED = {"number": "4000000000000341", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
THREE_D_SECURE = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
BANK_ACCOUNT = {"routing_number": "110000000", "account_number": "000123456789", "account_holder_type": "individual"}
# Stripe's test payment method names, as the old tests knew them.
_TEST_METHODS = {"pm_card_visa": VISA, "pm_card_chargeCustomerFail": DECLINED}


def stripe_api_of(stripe_js_url: str) -> str:
    """The stand-in's Stripe.js talks to the server it was served from."""
    return stripe_js_url.split("/js.stripe.com/")[0]


def confirmation_token(
    started: dict[str, Any],
    *,
    card: dict[str, Any] | None = None,
    payment_method: str | None = None,
    bank_account: dict[str, Any] | None = None,
) -> str:
    """The id of a ConfirmationToken for a card (VISA by default) or a US bank account."""
    api = stripe_api_of(started["stripe_js_url"])
    if bank_account is not None:
        data: dict[str, Any] = {
            "type": "us_bank_account",
            "us_bank_account": dict(bank_account),
            "billing_details": {"name": "Robin Client"},
        }
    else:
        data = {"type": "card", "card": dict(card or _TEST_METHODS.get(payment_method or "pm_card_visa", VISA))}
    r = httpx.post(
        f"{api}/v1/confirmation_tokens",
        json={"key": started["publishable_key"], "payment_method_data": data},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()["id"]


def start_payment(http: httpx.Client, headers: dict[str, str], invoice_id: str) -> dict[str, Any]:
    """The client opens the invoice's Payment Element: POST /v1/portal/invoices/{id}/payments (its answer)."""
    return http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=headers, json={}).json()


def confirm(http: httpx.Client, headers: dict[str, str], payment_id: str, token: str | None = None) -> httpx.Response:
    """POST /v1/portal/payments/{id}/confirm, with the ConfirmationToken (or none: re-read Stripe)."""
    body = {"confirmation_token": token} if token else None
    return http.post(f"/v1/portal/payments/{payment_id}/confirm", headers=headers, json=body)


def pay(http: httpx.Client, headers: dict[str, str], started: dict[str, Any], **details: Any) -> httpx.Response:
    """Enter the details in the Payment Element and press Pay."""
    return confirm(http, headers, started["payment_id"], confirmation_token(started, **details))


def authenticate(stripe_js_url: str, publishable_key: str, client_secret: str, success: bool = True) -> dict[str, Any]:
    """The 3-D Secure window of `stripe.handleNextAction({clientSecret})`: complete or fail it."""
    api = stripe_api_of(stripe_js_url)
    pi = client_secret.split("_secret_")[0]
    r = httpx.post(
        f"{api}/v1/payment_intents/{pi}/_authenticate?success={'true' if success else 'false'}",
        json={"key": publishable_key, "client_secret": client_secret},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


def settle_bank_debit(api_base: str, payment_intent: str) -> dict[str, Any]:
    """Days later, the client's bank pays the ACH debit (the stand-in's test control)."""
    r = httpx.post(f"{api_base}/_standin/ach/{payment_intent}/settle", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def fail_bank_debit(api_base: str, payment_intent: str, code: str = "insufficient_funds") -> dict[str, Any]:
    """Days later, the client's bank returns the ACH debit."""
    r = httpx.post(f"{api_base}/_standin/ach/{payment_intent}/fail", json={"code": code}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()
