"""Billing rates: admins write them, billers read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.deps import CurrentAdmin, CurrentStaff, SessionDep
from services.api.lists import ListOut, PageQuery, listed
from shared.billing import service
from shared.billing.repository import BillingRateRepository, group_currency
from shared.billing.schemas import Payer, RateCreate, RateOut, RatePatch

router = APIRouter(prefix="/v1/billing-rates", tags=["billing rates"])


@router.get("", response_model=ListOut[RateOut])
def list_rates(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    payer: Annotated[Payer | None, Query()] = None,
) -> ListOut[RateOut]:
    page = BillingRateRepository.from_session(session).list_page(actor, **asked.kwargs(), payer=payer)
    currency = group_currency(session, actor)
    return listed(RateOut, page, lambda rate: RateOut.build(rate, currency))


@router.post("", status_code=201, response_model=RateOut)
def create_rate(body: RateCreate, actor: CurrentAdmin, session: SessionDep) -> RateOut:
    rate = service.create_rate(session, actor, body)
    return RateOut.build(rate, group_currency(session, actor))


@router.get("/{rate_id}", response_model=RateOut)
def get_rate(rate_id: str, actor: CurrentStaff, session: SessionDep) -> RateOut:
    rate = BillingRateRepository.from_session(session).get_or_404(actor, rate_id, param="id")
    return RateOut.build(rate, group_currency(session, actor))


@router.patch("/{rate_id}", response_model=RateOut)
def update_rate(rate_id: str, body: RatePatch, actor: CurrentAdmin, session: SessionDep) -> RateOut:
    rate = service.update_rate(session, actor, rate_id, body)
    return RateOut.build(rate, group_currency(session, actor))


@router.post(
    "/{rate_id}/self-pay-copy",
    status_code=201,
    response_model=RateOut,
    responses={200: {"description": "The copy already existed; it is returned as it is.", "model": RateOut}},
)
def self_pay_copy(rate_id: str, actor: CurrentAdmin, session: SessionDep, response: Response) -> RateOut:
    copy, created = service.self_pay_copy(session, actor, rate_id)
    if not created:
        response.status_code = 200
    return RateOut.build(copy, group_currency(session, actor))
