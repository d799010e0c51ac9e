from __future__ import annotations

import re
import unicodedata
import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated

import iso4217
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from shared.fields import Cents
from shared.groups.reminder_settings import (
    DEFAULT_QUIET_END_HOUR,
    DEFAULT_QUIET_START_HOUR,
    EARLIEST_OFFSET,
    LATEST_OFFSET,
    MAX_STEPS,
    check_schedule,
)
from shared.groups.terms import PaymentTerms
from shared.text import Email, Name, text
from shared.users.schemas import Password

Timezone = text(max_length=64)


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown IANA timezone") from None
    return value


def _check_currency(value: str) -> str:
    """An ISO 4217 code of money (the `iso4217` package ships ISO's own table): not a made-up code,
    and not one of the codes without minor units — gold, SDRs, the testing code, "no currency"."""
    code = value.upper()
    currency = iso4217.raw_table.get(code) if len(code) == 3 else None
    if currency is None or not str(currency.get("CcyMnrUnts", "")).isdigit():
        raise ValueError("must be the ISO 4217 code of a currency, e.g. USD, EUR, GBP")
    return code


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    currency: text(max_length=3) = "USD"
    timezone: Timezone = "America/New_York"
    admin_email: Email
    # Length and strength are checked by check_password_strength, which names what is wrong.
    admin_password: Password

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


# --- the letterhead: what new invoice PDFs print under the practice's name ---

MAX_ADDRESS_LINES = 5
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]*[0-9](?: ?(?:ext\.?|x) ?[0-9]{1,6})?$", re.IGNORECASE)
_EXTENSION = re.compile(r" ?(?:ext\.?|x) ?[0-9]{1,6}$", re.IGNORECASE)
_TAX_ID = re.compile(r"^[A-Z0-9](?:[A-Z0-9 ./-]{0,18}[A-Z0-9])?$")


def _one_line(value: str) -> str:
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValueError("each address line is one line: no line breaks or control characters")
    return value


def _check_phone(value: str) -> str:
    digits = sum(c.isdigit() for c in _EXTENSION.sub("", value))
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        raise ValueError("a phone number of 6 to 15 digits, e.g. +1 (555) 010-0199 or 555-0199 ext. 12")
    return value


def _check_tax_id(value: str) -> str:
    value = value.upper()
    if not _TAX_ID.match(value) or sum(c.isdigit() for c in value) < 2:
        raise ValueError("2 to 20 letters and digits (spaces, '-', '.', '/' between), e.g. 12-3456789")
    return value


def npi_is_valid(npi: str) -> bool:
    """A National Provider Identifier: 10 digits, the last a Luhn check digit computed over the
    prefix 80840 and the first nine (CMS, "NPI Check Digit"), e.g. 1234567893."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


def _check_npi(value: str) -> str:
    value = value.replace(" ", "")
    if not npi_is_valid(value):
        raise ValueError("an NPI is 10 digits ending in its Luhn check digit, e.g. 1234567893")
    return value


def _blank_is_none(value):
    return None if isinstance(value, str) and not value.strip() else value


AddressLine = text(min_length=1, max_length=100)
Phone = text(max_length=32)
TaxId = text(max_length=20)
Npi = text(max_length=14)

# Letterhead fields a PATCH may clear (null or ""); for the other settings null means "unchanged".
CLEARABLE_FIELDS = frozenset({"address_lines", "phone", "tax_id", "npi", "reply_to_email"})


class LogoOut(BaseModel):
    """The logo's facts; the image itself is GET /v1/settings/logo."""

    media_type: str
    width: int
    height: int
    bytes: int
    sha256: str
    updated_at: datetime
    url: str = "/v1/settings/logo"


class SettingsOut(GroupOut):
    """The practice and every setting of it (the Practice settings page)."""

    allow_partial_payments: bool
    minimum_payment_cents: int
    payment_terms: PaymentTerms
    # Clients may also pay by ACH Direct Debit (US bank account) in the portal; USD practices only.
    ach_debit_enabled: bool
    # Days the pay link in an invoice email works, from when it was sent (1..365).
    pay_link_expiry_days: int = 30
    # Payment reminders: days from the due date (negative: before), sorted; [] sends none.
    reminder_schedule_days: list[int] = []
    # Local hours [start, end) in which no reminder goes out; equal: no quiet hours.
    reminder_quiet_start_hour: int = DEFAULT_QUIET_START_HOUR
    reminder_quiet_end_hour: int = DEFAULT_QUIET_END_HOUR
    require_staff_totp: bool
    address_lines: list[str]
    phone: str | None
    tax_id: str | None
    npi: str | None
    # Where clients' answers to the practice's emails go (their Reply-To); null: no Reply-To.
    reply_to_email: str | None = None
    logo: LogoOut | None = None


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    timezone: Timezone | None = None
    invoice_prefix: text(max_length=16, strip=False, pattern=r"^[A-Za-z0-9-]*$") | None = None
    allow_partial_payments: bool | None = None
    # Capped like every amount (a 32-bit column): an absurd minimum is a 422, not a database error.
    minimum_payment_cents: Cents | None = None
    payment_terms: PaymentTerms | None = Field(
        default=None,
        description="When invoices issued from now on are due: due_on_receipt, net_7, net_15 or net_30 "
        "(days after the invoiced date). An invoicing run may name its own due date instead.",
    )
    ach_debit_enabled: bool | None = None
    pay_link_expiry_days: Annotated[int, Field(ge=1, le=365)] | None = Field(
        default=None,
        description="How many days the pay link in an invoice email works, from when the email was sent "
        "(1 to 365; 30 unless set). Links already sent keep the expiry they were sent with.",
    )
    reminder_schedule_days: Annotated[list[StrictInt], Field(max_length=MAX_STEPS)] | None = Field(
        default=None,
        description=f"When payment reminders go, in days from an invoice's due date: negative before it, 0 on "
        f"it, positive after (e.g. [-3, 0, 7, 14, 30]). At most {MAX_STEPS} days, each once, from "
        f"{EARLIEST_OFFSET} to {LATEST_OFFSET}; [] stops reminders. Only the latest day that has come is sent, "
        "once, and only if it is after the day the invoice was issued.",
    )
    reminder_quiet_start_hour: Annotated[StrictInt, Field(ge=0, le=23)] | None = Field(
        default=None, description="Local hour (0-23) from which no reminder is sent; 20 unless set."
    )
    reminder_quiet_end_hour: Annotated[StrictInt, Field(ge=0, le=23)] | None = Field(
        default=None,
        description="Local hour (0-23) at which reminders may go again; 8 unless set. Equal to the start: "
        "no quiet hours.",
    )
    # The letterhead. Each changes only invoice PDFs rendered from now on: an issued version is a record.
    address_lines: Annotated[list[AddressLine], Field(max_length=MAX_ADDRESS_LINES)] | None = Field(
        default=None, description="The postal address, one entry per printed line (at most 5 of 100 characters)."
    )
    phone: Phone | None = None
    tax_id: TaxId | None = Field(default=None, description="The practice's tax id (e.g. a US EIN, 12-3456789).")
    npi: Npi | None = Field(default=None, description="The practice's NPI: 10 digits with its Luhn check digit.")
    reply_to_email: Email | None = Field(
        default=None,
        description='The address clients reach when they answer one of the practice\'s emails (null or "" clears it).',
    )
    require_staff_totp: bool | None = Field(
        default=None,
        description="true: staff (admins and billers) without a second factor get sign-ins that can only "
        "enrol one (403 `totp_enrollment_required` elsewhere), from their next request on. Not with an API key.",
    )

    _tz = field_validator("timezone")(lambda v: v if v is None else _check_timezone(v))
    _schedule = field_validator("reminder_schedule_days")(lambda v: v if v is None else check_schedule(v))
    _blanks = field_validator("phone", "tax_id", "npi", "reply_to_email", mode="before")(_blank_is_none)
    _phone = field_validator("phone")(lambda v: v if v is None else _check_phone(v))
    _tax = field_validator("tax_id")(lambda v: v if v is None else _check_tax_id(v))
    _npi = field_validator("npi")(lambda v: v if v is None else _check_npi(v))
    _lines = field_validator("address_lines")(lambda v: v if v is None else [_one_line(line) for line in v])
