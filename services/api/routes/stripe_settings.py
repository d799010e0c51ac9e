"""A practice's Stripe connection (admins change it, billers may read it) and its sync health."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentAdmin, CurrentStaff, SessionDep
from services.api.openapi import STRIPE_ERROR
from shared.groups.repository import GroupRepository
from shared.stripe_sync import connection, health
from shared.stripe_sync.schemas import StripeConnectionIn, StripeConnectionOut, StripeHealthOut

router = APIRouter(prefix="/v1/settings/stripe", tags=["stripe settings"])


@router.get("", response_model=StripeConnectionOut)
def get_stripe_settings(actor: CurrentStaff, session: SessionDep) -> StripeConnectionOut:
    return connection.describe(GroupRepository.from_session(session).get(actor))


@router.put("", response_model=StripeConnectionOut, responses=STRIPE_ERROR)
def put_stripe_settings(body: StripeConnectionIn, actor: CurrentAdmin, session: SessionDep) -> StripeConnectionOut:
    """The secret key is checked against Stripe first: a refused key saves nothing (422)."""
    return connection.describe(connection.connect(session, actor, body))


@router.delete("", response_model=StripeConnectionOut)
def delete_stripe_settings(actor: CurrentAdmin, session: SessionDep) -> StripeConnectionOut:
    """Disconnect: card payments stop; invoices and manual payments carry on."""
    return connection.describe(connection.disconnect(session, actor))


@router.get("/health", response_model=StripeHealthOut)
def get_stripe_health(actor: CurrentStaff, session: SessionDep) -> StripeHealthOut:
    return health.stripe_health(session, actor.practice_id)
