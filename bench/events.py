"""Signed `payment_intent.succeeded` deliveries of about 3 KB, the size of a real one.

Built with the tests' Stripe event builders (tests/stripe_events.py) and signed as Stripe
signs them; the padding stands in for the fields a real event carries and ours do not.
"""

from __future__ import annotations

from tests.stripe_events import encode, event, payment_intent, signature_header

PADDING = {f"k{i}": "v" * 40 for i in range(45)}


def succeeded_body(*, amount: int = 5_000, pi_id: str | None = None, metadata: dict[str, str] | None = None) -> str:
    return encode(
        event(
            "payment_intent.succeeded",
            payment_intent(amount=amount, status="succeeded", pi_id=pi_id, metadata={**PADDING, **(metadata or {})}),
        )
    )


def signed_bodies(count: int, secret: str) -> list[tuple[str, str]]:
    """`count` distinct events naming no payment of ours (the receiver stores them all the same)."""
    out = []
    for _ in range(count):
        body = succeeded_body()
        out.append((body, signature_header(body, secret)))
    return out


def sign(body: str, secret: str) -> str:
    return signature_header(body, secret)
