from __future__ import annotations

import uuid
import zoneinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from shared.billing.fields import Cents
from shared.security.passwords import MIN_PASSWORD_LENGTH

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown IANA timezone") from None
    return value


def _check_currency(value: str) -> str:
    value = value.upper()
    if len(value) != 3 or not value.isalpha():
        raise ValueError("must be a three-letter ISO 4217 code")
    return value


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    currency: str = "USD"
    timezone: str = "America/New_York"
    admin_email: EmailStr
    admin_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)

    _tz = field_validator("timezone")(_check_timezone)
    _cur = field_validator("currency")(_check_currency)


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    currency: str
    timezone: str
    invoice_prefix: str
    stripe_connected: bool


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    currency: str
    timezone: str
    invoice_prefix: str
    allow_partial_payments: bool
    minimum_payment_cents: int
    stripe_connected: bool


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    timezone: str | None = None
    invoice_prefix: Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9-]*$")] | None = None
    allow_partial_payments: bool | None = None
    # Capped like every amount (a 32-bit column): an absurd minimum is a 422, not a database error.
    minimum_payment_cents: Cents | None = None

    _tz = field_validator("timezone")(lambda v: v if v is None else _check_timezone(v))
