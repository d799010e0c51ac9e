"""A practice connected to Stripe (its own stand-in) over HTTP, a client paying by card in the portal,
a reconciliation run and waited for, and the Stripe events the webhook receiver stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import stripe
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until
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


def stripe_settings(keys: StripeKeys, *, webhook_secret: bool = True, **extra: Any) -> dict[str, Any]:
    """The body of `PUT /v1/settings/stripe`: the keys, the webhook secret unless `webhook_secret=False`
    (then clinicpay creates the practice's own webhook endpoint), and `extra` fields (e.g. api_base)."""
    body = {"secret_key": keys.secret_key, "publishable_key": keys.publishable_key}
    if webhook_secret:
        body["webhook_secret"] = keys.webhook_secret
    return body | extra


def connect_stripe(http: httpx.Client, practice: Practice, api_base: str, keys: StripeKeys | None = None) -> StripeKeys:
    """The admin enters the practice's keys (api_base: the practice's own stand-in, allowed outside production)."""
    keys = keys or new_keys()
    r = http.put("/v1/settings/stripe", headers=practice.admin, json=stripe_settings(keys, api_base=api_base))
    assert r.status_code == 200, r.text
    return keys


def connect_stripe_with_two_keys(http: httpx.Client, practice: Practice, keys: StripeKeys, api_base: str) -> None:
    """The admin enters only the secret and publishable keys: clinicpay creates the practice's webhook endpoint."""
    body = stripe_settings(keys, webhook_secret=False, api_base=api_base)
    r = http.put("/v1/settings/stripe", headers=practice.admin, json=body)
    assert r.status_code == 200 and r.json()["webhook_mode"] == "endpoint", r.text


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


def card_payment_intent(
    client: stripe.StripeClient,
    amount_cents: int,
    *,
    payment_method: str = "pm_card_visa",
    confirm: bool = False,
    metadata: dict[str, str] | None = None,
) -> stripe.PaymentIntent:
    """A USD PaymentIntent made straight at (local)Stripe, cards only (so confirming needs no return
    URL), confirmed at once with `confirm=True`: what Stripe holds, for a test about what our rows,
    events or reconciliation make of it."""
    params: dict[str, Any] = {
        "amount": amount_cents,
        "currency": "usd",
        "payment_method": payment_method,
        "allowed_payment_method_types": ["card"],
    }
    if metadata is not None:
        params["metadata"] = metadata
    if confirm:
        params["confirm"] = True
    return client.v1.payment_intents.create(params=params)


def reconcile(http: httpx.Client, practice: Practice, timeout: float = 30.0) -> dict[str, Any]:
    """A biller presses Reconcile (POST /v1/reconciliations, 202): the job once it succeeded or failed."""
    r = http.post("/v1/reconciliations", headers=practice.biller)
    assert r.status_code == 202, r.text
    rec_id = r.json()["id"]
    return poll_until(
        lambda: (
            (j := http.get(f"/v1/reconciliations/{rec_id}", headers=practice.biller).json())["status"]
            in ("succeeded", "failed")
            and j
        ),
        timeout=timeout,
        message="the reconciliation to finish",
    )


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


def wait_until_processed(
    group_id: str | uuid.UUID, evt: dict[str, Any], *, message: str | None = None
) -> dict[str, Any]:
    """The stored row of a delivered Stripe event once the worker has processed it (`processed_at` set),
    so a test reads its `outcome` (applied, ignored, unmatched) only after the ledger has moved."""
    gid = uuid.UUID(str(group_id))
    return poll_until(
        lambda: (e := stored_event(gid, evt["id"])) and e["processed_at"] and e,
        message=message or f"{evt['type']} to be processed",
    )
