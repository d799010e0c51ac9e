from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from shared.billing.models import BillingRate, Service, client_part_cents
from shared.clients.schemas import ExternalId
from shared.fields import Cents, IsoDate, PositiveCents
from shared.text import Name, text

Description = text(min_length=1, max_length=500)
# Ids are opaque strings; one that is not ours answers 404 (shared.db.ids.parse_id), so no UUID type here.
IdRef = text(min_length=1, max_length=64)
Payer = Literal["insurance", "self_pay"]
ServiceStatus = Literal["uninvoiced", "invoiced", "paid"]

# One request may push this many services; a practice system pushing more sends several requests.
MAX_PUSH = 1000


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may not be null")
    return value


# --- Billing rates ---


class RateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    amount_cents: Cents
    payer: Payer
    needs_billing: StrictBool = False
    is_invoiced: StrictBool = False


class RatePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    amount_cents: Cents | None = None
    payer: Payer | None = None
    needs_billing: StrictBool | None = None
    is_invoiced: StrictBool | None = None

    @field_validator("*")
    @classmethod
    def _sent_means_set(cls, value: object) -> object:
        return _not_null(value)


class RateOut(BaseModel):
    id: uuid.UUID
    name: str
    amount_cents: int
    currency: str
    needs_billing: bool
    is_invoiced: bool
    payer: str
    # True when services on this rate show up on the Invoices page.
    goes_on_invoices: bool
    self_pay_source_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, rate: BillingRate, currency: str) -> RateOut:
        return cls(
            id=rate.id,
            name=rate.name,
            amount_cents=rate.amount_cents,
            currency=currency,
            needs_billing=rate.needs_billing,
            is_invoiced=rate.is_invoiced,
            payer=rate.payer,
            goes_on_invoices=rate.goes_on_invoices,
            self_pay_source_id=rate.self_pay_source_id,
            created_at=rate.created_at,
            updated_at=rate.updated_at,
        )


# --- Services ---


class ServiceIn(BaseModel):
    """One service as the practice system pushes it. `amount_cents` and `description` default to the rate's."""

    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId
    client_id: IdRef
    billing_rate_id: IdRef
    service_date: IsoDate
    description: Description | None = None
    amount_cents: Cents | None = None


class ServiceBulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[ServiceIn] = Field(min_length=1, max_length=MAX_PUSH)


class ServicePatch(BaseModel):
    """`amount_cents` or `description` sent as null go back to following the billing rate."""

    model_config = ConfigDict(extra="forbid")

    billing_rate_id: IdRef | None = None
    amount_cents: Cents | None = None
    description: Description | None = None
    service_date: IsoDate | None = None

    @field_validator("billing_rate_id", "service_date")
    @classmethod
    def _not_nullable(cls, value: object) -> object:
        return _not_null(value)


class ServicePaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_cents: PositiveCents
    # Only insurance is received on a service; everything else is paid on the invoice.
    method: Literal["insurance"] = "insurance"
    received_date: IsoDate
    reference: text(max_length=200) | None = None


class ServicePaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    service_id: uuid.UUID
    method: str
    amount_cents: int
    received_date: date
    reference: str | None
    status: str
    created_at: datetime


def service_status(service: Service, invoice_status: str | None) -> str:
    """uninvoiced until an invoice holds it; paid once that invoice is paid; invoiced in between."""
    if service.invoice_id is None:
        return "uninvoiced"
    return "paid" if invoice_status == "paid" else "invoiced"


class ServiceOut(BaseModel):
    id: uuid.UUID
    external_id: str
    client_id: uuid.UUID
    billing_rate_id: uuid.UUID
    service_date: date
    description: str
    amount_cents: int
    insurance_paid_cents: int
    # What is left for the client to pay: the amount less insurance received.
    client_part_cents: int
    currency: str
    status: ServiceStatus
    invoice_id: uuid.UUID | None
    # Taken by an invoicing run that has not finished yet: it can no longer be changed.
    claimed: bool
    amount_explicit: bool
    description_explicit: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, service: Service, currency: str, invoice_status: str | None) -> ServiceOut:
        return cls(
            id=service.id,
            external_id=service.external_id,
            client_id=service.client_id,
            billing_rate_id=service.billing_rate_id,
            service_date=service.service_date,
            description=service.description,
            amount_cents=service.amount_cents,
            insurance_paid_cents=service.insurance_paid_cents,
            client_part_cents=client_part_cents(service.amount_cents, service.insurance_paid_cents),
            currency=currency,
            status=service_status(service, invoice_status),
            invoice_id=service.invoice_id,
            claimed=service.claimed_by_run_id is not None and service.invoice_id is None,
            amount_explicit=service.amount_explicit,
            description_explicit=service.description_explicit,
            created_at=service.created_at,
            updated_at=service.updated_at,
        )


class ServiceDetailOut(ServiceOut):
    payments: list[ServicePaymentOut]


class ServicePushOut(BaseModel):
    """A bulk push: every service in the order sent, and how many were new."""

    data: list[ServiceOut]
    created: int
    existing: int


class ServicePaymentCreated(ServicePaymentOut):
    service: ServiceOut
