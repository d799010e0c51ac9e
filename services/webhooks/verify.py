"""Signature check and parse of one delivery, kept free of I/O so the hot path stays cheap.

`verify_header` (~8 µs) rather than `construct_event` (~635 µs, mostly building
StripeObjects we would throw away; measured on a 2-core machine), and orjson for the parse.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import stripe

TOLERANCE_SECONDS = 300
MAX_EVENT_ID_LENGTH = 255
MAX_TYPE_LENGTH = 128


class Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedEvent:
    stripe_event_id: str
    type: str
    created: int
    text: str  # the body as received, stored as the payload


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("invalid_payload", "The body is not UTF-8 text.") from None


def verify(text: str, header: str | None, secret: str, tolerance: int = TOLERANCE_SECONDS) -> None:
    try:
        stripe.WebhookSignature.verify_header(text, header, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError:
        raise Rejected("invalid_signature", "The Stripe-Signature header does not match this endpoint.") from None


def parse(text: str) -> ParsedEvent:
    try:
        # orjson refuses nesting deeper than 1024 levels with JSONDecodeError, never a RecursionError.
        event = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise Rejected("invalid_payload", "The body is not valid JSON.") from None
    if not isinstance(event, dict):
        raise Rejected("invalid_payload", "The body is not a Stripe event.")
    event_id, event_type, created = event.get("id"), event.get("type"), event.get("created", 0)
    if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_EVENT_ID_LENGTH:
        raise Rejected("invalid_payload", "The event has no usable id.")
    if not isinstance(event_type, str) or not event_type or len(event_type) > MAX_TYPE_LENGTH:
        raise Rejected("invalid_payload", "The event has no usable type.")
    if not isinstance(created, int) or isinstance(created, bool) or not 0 <= created < 2**63:
        raise Rejected("invalid_payload", "The event's created time is not a timestamp.")
    return ParsedEvent(event_id, event_type, created, text)
