from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, field_validator

from shared.clients.models import Client
from shared.text import Email, Name, text
from shared.users.schemas import Password

ExternalId = text(min_length=1, max_length=128)


# Who stopped a client's payment reminders (clients.reminders_stopped_by).
StoppedBy = Literal["client", "staff"]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email | None = None
    # The practice system's own id for this client, so a pusher can find it again.
    external_id: ExternalId | None = None


class ClientPatch(BaseModel):
    """Only the fields sent change; `email` or `external_id` sent as null clears it."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: Email | None = None
    external_id: ExternalId | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("a client needs a name")
        return value


class PortalAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password


class ClientOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None
    external_id: str | None
    has_portal_access: bool
    # The email the client signs in to the portal with (may differ from `email`).
    portal_email: str | None
    created_at: datetime
    # What the client owes now (open and partly paid invoices, the practice's currency), on how many
    # invoices, and when an invoice was last issued or a payment last recorded for them.
    balance_cents: int = 0
    open_invoice_count: int = 0
    last_activity_at: datetime | None = None
    # When the client's payment reminders were stopped, and by whom: "client" (the link in one) or
    # "staff" (at the client's request); both null: they get them.
    reminders_opted_out_at: datetime | None = None
    reminders_stopped_by: StoppedBy | None = None

    @classmethod
    def build(cls, client: Client, portal_email: str | None, activity: Any = None) -> ClientOut:
        return cls(
            id=client.id,
            name=client.name,
            email=client.email,
            external_id=client.external_id,
            has_portal_access=portal_email is not None,
            portal_email=portal_email,
            created_at=client.created_at,
            balance_cents=activity.balance_cents if activity else 0,
            open_invoice_count=activity.open_invoice_count if activity else 0,
            last_activity_at=activity.last_activity_at if activity else None,
            reminders_opted_out_at=client.reminders_opted_out_at,
            reminders_stopped_by=cast(StoppedBy | None, client.reminders_stopped_by),
        )
