"""What the Stripe settings, health and reconciliation endpoints take and answer. Secrets never leave."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema

from shared.text import text_rules

Key = Annotated[str, *text_rules(min_length=1, max_length=255)]


class StripeConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret_key: Key
    publishable_key: Key
    # Only the fallback, for a restricted key that may not manage webhook endpoints: the signing secret
    # of an endpoint the admin made in Stripe. Without it, clinicpay creates its own endpoint.
    webhook_secret: Key | None = None
    # Outside production only: point this practice at its own Stripe stand-in (tests, demos).
    api_base: SkipJsonSchema[Annotated[str, *text_rules(max_length=255)] | None] = None


class ConnectionProblemOut(BaseModel):
    """Something Stripe refused about our side (not the keys): a stable code and what to do about it."""

    code: str
    message: str


class StripeConnectionOut(BaseModel):
    publishable_key: str | None
    secret_key_last4: str | None
    webhook_secret_set: bool
    webhook_url: str
    # "endpoint": clinicpay made the webhook endpoint at Stripe; "pasted": the admin's own (whsec_ fallback);
    # "none": no webhooks yet (see webhook_problem) — reconciliation keeps payments in step meanwhile.
    webhook_mode: Literal["endpoint", "pasted", "none"]
    webhook_endpoint_id: str | None
    webhook_problem: ConnectionProblemOut | None
    # The Stripe API version clinicpay is written against (and its endpoint's events are rendered in).
    api_version: str
    # The portal's domain, registered for Apple Pay, Google Pay and Link; or why it is not.
    payment_method_domain: str | None
    payment_method_domain_problem: ConnectionProblemOut | None
    connected: bool
    connected_at: datetime | None
    livemode: bool | None


class LastReconciliationOut(BaseModel):
    id: uuid.UUID
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    fixed_count: int
    unmatched_count: int
    error_count: int


class EventCountsOut(BaseModel):
    received: int
    applied: int
    ignored: int
    failing: int
    unapplied: int
    oldest_unapplied_received_at: datetime | None


class StripeHealthOut(BaseModel):
    connected: bool
    last_reconciliation: LastReconciliationOut | None
    events: EventCountsOut
    # The Stripe API version clinicpay is written against (the one the pinned SDK sends), and the one the practice's endpoint sent its
    # latest webhook event in (None before any). When they differ, each event's object is read again
    # from Stripe at ours before it is applied, and `endpoint_api_version_note` says so.
    api_version: str
    endpoint_api_version: str | None
    endpoint_api_version_note: str | None


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    trigger: str
    fixed: list[dict[str, Any]]
    unmatched: list[dict[str, Any]]
    # While a run waits to retry, an entry with "retrying": true says why; it goes when the run ends.
    errors: list[dict[str, Any]]
    watermark_from: int | None
    watermark_to: int | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ReconciliationList(BaseModel):
    data: list[ReconciliationOut]
    has_more: bool
