from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field

from shared.groups.schemas import Name

# Length is checked by check_password_strength so a short one gets its own code; the cap stops
# someone making argon2 hash megabytes.
Password = Annotated[str, Field(max_length=256)]


class StaffUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Password
    role: Literal["admin", "biller"]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: str
    is_active: bool
    created_at: datetime


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Literal["admin", "biller"]


class ApiKeyOut(BaseModel):
    """An API key as listed: never the key itself, only its last 4 characters."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    role: str
    key_last4: str
    created_at: datetime
    revoked_at: datetime | None
    created_by_user_id: uuid.UUID | None

    @computed_field
    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApiKeyCreated(ApiKeyOut):
    """The one answer that carries the key. It cannot be shown again."""

    key: str
