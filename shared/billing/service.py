"""Billing rates, and what a biller does to a single service: change it, record insurance received on it.

Pushing services (one or thousands, idempotent by external id) lives in shared.billing.push.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.billing.models import BillingRate, Service, ServicePayment
from shared.billing.repository import BillingRateRepository, ServiceRepository
from shared.billing.schemas import RateCreate, RatePatch, ServicePatch, ServicePaymentIn
from shared.errors import Conflict, ValidationFailed
from shared.logging import get_logger

log = get_logger(__name__)

SELF_PAY_SUFFIX = " (Self-Pay)"


# --- Billing rates ---


def create_rate(session: Session, actor: Actor, data: RateCreate) -> BillingRate:
    rate = BillingRate(group_id=actor.group_id, **data.model_dump())
    session.add(rate)
    session.flush()
    record(session, actor, "billing_rate.created", "billing_rate", rate.id, data=data.model_dump())
    return rate


def update_rate(session: Session, actor: Actor, rate_id: str, data: RatePatch) -> BillingRate:
    """Services that still follow the rate (uninvoiced, amount or description not given) follow the change."""
    rate = BillingRateRepository.from_session(session).get_or_404(actor, rate_id, param="id", for_update=True)
    services = ServiceRepository.from_session(session)
    changes = {f: v for f, v in data.model_dump(exclude_unset=True).items() if getattr(rate, f) != v}
    if "amount_cents" in changes and services.any_followers_paid_beyond(rate, changes["amount_cents"]):
        raise Conflict(
            "Some uninvoiced services on this rate already have more insurance paid than the new "
            "amount. Give those services their own amount first.",
            code="amount_below_insurance_paid",
            param="amount_cents",
        )
    for field, value in changes.items():
        setattr(rate, field, value)
    if not changes:
        return rate
    followed = {}
    if "amount_cents" in changes:
        followed["amount_cents"] = services.follow_rate_amount(rate)
    if "name" in changes:
        followed["description"] = services.follow_rate_name(rate)
    session.flush()
    record(
        session,
        actor,
        "billing_rate.updated",
        "billing_rate",
        rate.id,
        data={"changes": changes, "services_followed": followed},
    )
    return rate


def self_pay_copy(session: Session, actor: Actor, rate_id: str) -> tuple[BillingRate, bool]:
    """ "General Service" → "General Service (Self-Pay)", invoiced. Asking twice gives the same copy.

    Returns the copy and whether it was created now. The source row is locked so two clicks make one copy.
    """
    rates = BillingRateRepository.from_session(session)
    source = rates.get_or_404(actor, rate_id, param="id", for_update=True)
    if source.payer == "self_pay":
        raise Conflict("This billing rate is already self-pay.", code="rate_already_self_pay", param="id")
    existing = rates.self_pay_copy_of(actor, source.id)
    if existing is not None:
        return existing, False
    name = source.name[: 200 - len(SELF_PAY_SUFFIX)] + SELF_PAY_SUFFIX
    copy = BillingRate(
        group_id=actor.group_id,
        name=name,
        amount_cents=source.amount_cents,
        needs_billing=True,
        is_invoiced=True,
        payer="self_pay",
        self_pay_source_id=source.id,
    )
    session.add(copy)
    session.flush()
    record(
        session,
        actor,
        "billing_rate.self_pay_copy_created",
        "billing_rate",
        copy.id,
        data={"source_id": str(source.id)},
    )
    return copy, True


# --- One service ---


def ensure_changeable(service: Service) -> None:
    if service.invoice_id is not None or service.claimed_by_run_id is not None:
        raise Conflict(
            "This service is already invoiced (or being invoiced) and can no longer change.",
            code="service_already_invoiced",
            param="id",
        )


def apply_rate(service: Service, rate: BillingRate, *, amount_given: bool, description_given: bool) -> None:
    """Put a service on a rate: the amount and description follow the rate unless someone gave them."""
    service.billing_rate_id = rate.id
    if not amount_given and not service.amount_explicit:
        service.amount_cents = rate.amount_cents
    if not description_given and not service.description_explicit:
        service.description = rate.name


def check_amount_covers_insurance(service: Service, param: str = "amount_cents") -> None:
    if service.amount_cents < service.insurance_paid_cents:
        raise ValidationFailed(
            f"Insurance has already paid {service.insurance_paid_cents} cents on this service; "
            "its amount cannot be less than that.",
            code="amount_below_insurance_paid",
            param=param,
        )


def update_service(session: Session, actor: Actor, service_id: str, data: ServicePatch) -> Service:
    service = ServiceRepository.from_session(session).get_or_404(actor, service_id, for_update=True)
    rates = BillingRateRepository.from_session(session)
    sent = data.model_fields_set
    new_rate = (
        rates.get_or_404(actor, data.billing_rate_id, param="billing_rate_id") if "billing_rate_id" in sent else None
    )
    ensure_changeable(service)
    before = {f: getattr(service, f) for f in ("billing_rate_id", "amount_cents", "description", "service_date")}
    # A field sent as null goes back to following the rate; one sent with a value no longer does.
    if "amount_cents" in sent:
        service.amount_explicit = data.amount_cents is not None
    if "description" in sent:
        service.description_explicit = data.description is not None
    apply_rate(
        service,
        new_rate or rates.get_or_404(actor, service.billing_rate_id),
        amount_given=data.amount_cents is not None,
        description_given=data.description is not None,
    )
    if data.amount_cents is not None:
        service.amount_cents = data.amount_cents
    if data.description is not None:
        service.description = data.description
    if data.service_date is not None:
        service.service_date = data.service_date
    check_amount_covers_insurance(service)
    changed = sorted(f for f, v in before.items() if getattr(service, f) != v)
    session.flush()
    if changed:
        # Descriptions may be clinical: the trail keeps that it changed, not what it said.
        previous = {f: str(before[f]) for f in changed if f != "description"}
        record(session, actor, "service.updated", "service", service.id, data={"fields": changed, "before": previous})
    return service


def record_insurance_payment(
    session: Session, actor: Actor, service_id: str, data: ServicePaymentIn
) -> tuple[ServicePayment, Service]:
    """Insurance received before invoicing. The service's running total changes in the same transaction."""
    service = ServiceRepository.from_session(session).get_or_404(actor, service_id, for_update=True)
    ensure_changeable(service)
    remaining = service.amount_cents - service.insurance_paid_cents
    if data.amount_cents > remaining:
        raise ValidationFailed(
            f"Only {remaining} cents of this service are left to pay.",
            code="amount_exceeds_balance",
            param="amount_cents",
        )
    payment = ServicePayment(
        group_id=actor.group_id,
        service_id=service.id,
        method=data.method,
        amount_cents=data.amount_cents,
        received_date=data.received_date,
        reference=data.reference,
        status="succeeded",
    )
    session.add(payment)
    service.insurance_paid_cents += data.amount_cents
    session.flush()
    record(
        session,
        actor,
        "service.insurance_payment_recorded",
        "service",
        service.id,
        data={"service_payment_id": str(payment.id), "amount_cents": data.amount_cents},
    )
    log.info("service_payment_recorded", service_id=str(service.id), service_payment_id=str(payment.id))
    return payment, service
