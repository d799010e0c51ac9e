"""What the Stripe settings, health and reconciliation endpoints take and answer. Secrets never leave."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.json_schema import SkipJsonSchema

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class StripeConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret_key: Key
    publishable_key: Key
    webhook_secret: Key
    # Outside production only: point this practice at its own Stripe stand-in (tests, demos).
    api_base: SkipJsonSchema[Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None] = None


class StripeConnectionOut(BaseModel):
    publishable_key: str | None
    secret_key_last4: str | None
    webhook_secret_set: bool
    webhook_url: str
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
