"""A practice connected to Stripe (its own stand-in) over HTTP, a client paying by card in the portal,
and the Stripe events the webhook receiver stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.stripe_sync.models import StripeEvent
from tests.factories.clients import give_portal_access, make_client_via_api
from tests.factories.practices import Practice, make_practice_via_api


@dataclass
class StripeKeys:
    secret_key: str
    publishable_key: str
    webhook_secret: str


def new_keys() -> StripeKeys:
    tag = uuid.uuid4().hex[:16]
    return StripeKeys(f"sk_test_{tag}", f"pk_test_{tag}", f"whsec_{tag}")


def connect_stripe(http: httpx.Client, practice: Practice, api_base: str, keys: StripeKeys | None = None) -> StripeKeys:
    """The admin enters the practice's keys (api_base: the practice's own stand-in, allowed outside production)."""
    keys = keys or new_keys()
    r = http.put(
        "/v1/settings/stripe",
        headers=practice.admin,
        json={
            "secret_key": keys.secret_key,
            "publishable_key": keys.publishable_key,
            "webhook_secret": keys.webhook_secret,
            "api_base": api_base,
        },
    )
    assert r.status_code == 200, r.text
    return keys


@dataclass
class PayingClient:
    """A client with a portal login, in a practice that takes cards."""

    practice: Practice
    keys: StripeKeys
    client_id: str
    token: str
    name: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_paying_client(
    http: httpx.Client, api_base: str, practice: Practice | None = None, name: str = "Robin Client"
) -> PayingClient:
    practice = practice or make_practice_via_api(http)
    keys = connect_stripe(http, practice, api_base)
    email = f"robin-{uuid.uuid4().hex[:8]}@example.com"
    client = make_client_via_api(http, practice, name=name, email=email)
    token = give_portal_access(http, practice, client["id"])
    return PayingClient(practice, keys, client["id"], token, name, email)


def set_partial_payments(group_id: str, allow: bool, minimum_cents: int = 0) -> None:
    with session_scope() as session:
        group = session.get(Group, uuid.UUID(group_id))
        group.allow_partial_payments = allow
        group.minimum_payment_cents = minimum_cents


def stored_events(group_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    with session_scope() as session:
        query = select(StripeEvent).order_by(StripeEvent.received_at)
        if group_id is not None:
            query = query.where(StripeEvent.group_id == group_id)
        return [
            {
                "id": e.id,
                "stripe_event_id": e.stripe_event_id,
                "type": e.type,
                "group_id": e.group_id,
                "dispatched_at": e.dispatched_at,
                "processed_at": e.processed_at,
                "outcome": e.outcome,
                "attempts": e.attempts,
                "last_error": e.last_error,
            }
            for e in session.scalars(query)
        ]


def stored_event(group_id: uuid.UUID, stripe_event_id: str) -> dict[str, Any] | None:
    return next((e for e in stored_events(group_id) if e["stripe_event_id"] == stripe_event_id), None)
