from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints, field_validator

from shared.clients.models import Client
from shared.groups.schemas import Name
from shared.users.schemas import Password

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr | None = None
    # The practice system's own id for this client, so a pusher can find it again.
    external_id: ExternalId | None = None


class ClientPatch(BaseModel):
    """Only the fields sent change; `email` or `external_id` sent as null clears it."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: EmailStr | None = None
    external_id: ExternalId | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("a client needs a name")
        return value


class PortalAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
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

    @classmethod
    def build(cls, client: Client, portal_email: str | None) -> ClientOut:
        return cls(id=client.id, name=client.name, email=client.email, external_id=client.external_id,
                   has_portal_access=portal_email is not None, portal_email=portal_email,
                   created_at=client.created_at)
