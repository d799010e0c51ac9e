from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from shared.text import Email, Name, text

# Length is checked by check_password_strength so a short one gets its own code; the cap stops
# someone making argon2 hash megabytes.
Password = text(max_length=256, strip=False)


class StaffUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    role: Literal["admin", "biller"]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: str
    is_active: bool
    totp_enabled: bool
    created_at: datetime


class StaffUserPatch(BaseModel):
    """What an admin changes about a colleague. Their password is theirs (POST /v1/me/password)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "biller"] | None = None
    is_active: bool | None = Field(
        default=None,
        description="false: every sign-in of the user ends at once and no new one is possible. "
        "The API keys they created belong to the practice and keep working; the answer lists them.",
    )


class ApiKeySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    key_last4: str
    revoked: bool


class StaffUserChanged(UserOut):
    api_keys_created: list[ApiKeySummary] = Field(
        description="The practice's API keys this user created, newest first: after a deactivation, "
        "revoke the ones they may have kept a copy of (DELETE /v1/api-keys/{id})."
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password


class TotpCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[text(max_length=16), Field(description="The 6-digit code the authenticator app shows now.")]


class TotpDisable(BaseModel):
    """Proof that the person at the keyboard is the user: a current code, or the password."""

    model_config = ConfigDict(extra="forbid")

    code: text(max_length=16) | None = None
    password: Password | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TotpDisable:
        if (self.code is None) == (self.password is None):
            raise ValueError("send either code or password")
        return self


class TotpEnrolment(BaseModel):
    """Shown once: enter the secret in an authenticator app (or scan the URI as a QR code), then
    confirm with a code. It is stored only encrypted and never shown again."""

    secret: str
    otpauth_uri: str


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
