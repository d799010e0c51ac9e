"""What the browser's Stripe.js does in these tests, over HTTP exactly as localstripe's stand-in
(localstripe-v3.js) sends it: the publishable key in the body, never the secret key."""

from __future__ import annotations

from typing import Any

import httpx

VISA = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
THREE_D_SECURE = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


def stripe_api_of(stripe_js_url: str) -> str:
    """The stand-in's Stripe.js talks to the server it was served from."""
    return stripe_js_url.split("/js.stripe.com/")[0]


def confirm_card_setup(started: dict[str, Any], *, payment_method: str | None = None,
                       card: dict[str, Any] | None = None, complete_3ds: bool = True) -> dict[str, Any]:
    """`stripe.confirmCardSetup(client_secret, {payment_method: ...})`, including the 3-D Secure modal."""
    api = stripe_api_of(started["stripe_js_url"])
    secret = started["setup_intent_client_secret"]
    seti = secret.split("_secret_")[0]
    body: dict[str, Any] = {"key": started["publishable_key"], "use_stripe_sdk": True, "client_secret": secret}
    if payment_method:
        body["payment_method"] = payment_method
    else:
        body["payment_method_data"] = {"type": "card", "card": dict(card or VISA)}
    r = httpx.post(f"{api}/v1/setup_intents/{seti}/confirm", json=body, timeout=10)
    assert r.status_code == 200, r.text
    answer = r.json()
    if answer["status"] == "requires_action":
        action = "confirm" if complete_3ds else "cancel"
        r = httpx.post(f"{api}/v1/setup_intents/{seti}/{action}", timeout=10, json={
            "key": started["publishable_key"], "use_stripe_sdk": True, "client_secret": secret})
        assert r.status_code == 200, r.text
        answer = r.json()
    return answer


def confirm_card_payment(stripe_js_url: str, publishable_key: str, client_secret: str,
                         success: bool = True) -> dict[str, Any]:
    """`stripe.confirmCardPayment(client_secret)` on a PaymentIntent that wants 3-D Secure."""
    api = stripe_api_of(stripe_js_url)
    pi = client_secret.split("_secret_")[0]
    r = httpx.post(f"{api}/v1/payment_intents/{pi}/_authenticate?success={'true' if success else 'false'}",
                   json={"key": publishable_key, "client_secret": client_secret}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()
