"""Services delivered to clients: pushed by the practice system, adjusted by billers before invoicing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from services.api.deps import CurrentStaff, SessionDep
from services.api.idempotent import IdempotencyKey, once
from services.api.lists import ListOut, PageQuery
from shared.actor import Actor
from shared.billing import service
from shared.billing.models import Service
from shared.billing.push import push_services
from shared.billing.repository import ServiceRepository, group_currency
from shared.billing.schemas import (
    MAX_PUSH,
    ServiceBulkIn,
    ServiceDetailOut,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    ServicePaymentCreated,
    ServicePaymentIn,
    ServicePaymentOut,
    ServicePushOut,
    ServiceStatus,
)
from shared.clients.repository import ClientRepository
from shared.text import text

router = APIRouter(prefix="/v1/services", tags=["services"])

_SINGLE_SCHEMA = ServiceIn.model_json_schema()
_PUSH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _SINGLE_SCHEMA,
                        {
                            "title": "ServiceBulkIn",
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["services"],
                            "properties": {
                                "services": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": MAX_PUSH,
                                    "items": _SINGLE_SCHEMA,
                                }
                            },
                        },
                    ]
                }
            }
        },
    }
}


def _parse(model: type[BaseModel], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        # Rendered by the API's own 422 handler, so `param` reads `services.3.amount_cents`.
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def _outs(session: Session, actor: Actor, services: list[Service]) -> list[ServiceOut]:
    repo = ServiceRepository.from_session(session)
    statuses = repo.invoice_statuses(actor, (s.invoice_id for s in services))
    currency = group_currency(session, actor)
    return [ServiceOut.build(s, currency, statuses.get(s.invoice_id)) for s in services]


@router.post(
    "",
    status_code=201,
    openapi_extra=_PUSH_BODY,
    responses={200: {"description": "Every service pushed already existed (by external_id)."}},
)
def push(
    body: Annotated[Any, Body(include_in_schema=False)], actor: CurrentStaff, session: SessionDep, response: Response
) -> ServiceOut | ServicePushOut:
    """One service, or `{"services": [...]}` (at most 1000). A repeated `external_id` answers the
    existing service and applies changed fields while it is uninvoiced. All or nothing."""
    bulk = isinstance(body, dict) and "services" in body
    items = _parse(ServiceBulkIn, body).services if bulk else [_parse(ServiceIn, body)]
    result = push_services(session, actor, items, bulk=bulk)
    if not result.created:
        response.status_code = 200
    outs = _outs(session, actor, result.services)
    if bulk:
        return ServicePushOut(data=outs, created=result.created, existing=result.existing)
    return outs[0]


@router.get("", response_model=ListOut[ServiceOut])
def list_services(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    client_id: Annotated[text(max_length=64) | None, Query()] = None,
    status: Annotated[ServiceStatus | None, Query()] = None,
) -> ListOut[ServiceOut]:
    client_uuid = None
    if client_id:
        client_uuid = ClientRepository.from_session(session).get_or_404(actor, client_id, param="client_id").id
    page = ServiceRepository.from_session(session).list_page(
        actor, **asked.kwargs(), client_id=client_uuid, status=status
    )
    return ListOut[ServiceOut](data=_outs(session, actor, page.data), has_more=page.has_more)


@router.get("/{service_id}", response_model=ServiceDetailOut)
def get_service(service_id: str, actor: CurrentStaff, session: SessionDep) -> ServiceDetailOut:
    repo = ServiceRepository.from_session(session)
    svc = repo.get_or_404(actor, service_id)
    payments = [ServicePaymentOut.model_validate(p) for p in repo.payments_of(svc)]
    return ServiceDetailOut(**_outs(session, actor, [svc])[0].model_dump(), payments=payments)


@router.patch("/{service_id}", response_model=ServiceOut)
def update_service(service_id: str, body: ServicePatch, actor: CurrentStaff, session: SessionDep) -> ServiceOut:
    """Change the rate, amount, description or date while the service is uninvoiced. Flipping the rate
    re-defaults the amount and description unless they were given; sending either as null re-defaults it."""
    svc = service.update_service(session, actor, service_id, body)
    return _outs(session, actor, [svc])[0]


@router.post("/{service_id}/payments", status_code=201, response_model=ServicePaymentCreated)
def record_insurance_payment(
    service_id: str,
    body: ServicePaymentIn,
    actor: CurrentStaff,
    session: SessionDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Insurance received before invoicing; the client's part is what remains.

    Send an `Idempotency-Key` to retry safely: a retry never records the money twice."""

    def write() -> ServicePaymentCreated:
        payment, svc = service.record_insurance_payment(session, actor, service_id, body)
        return ServicePaymentCreated(
            **ServicePaymentOut.model_validate(payment).model_dump(), service=_outs(session, actor, [svc])[0]
        )

    return once(session, actor, response, idempotency_key, f"services.payment:{service_id}", body, 201, write)
