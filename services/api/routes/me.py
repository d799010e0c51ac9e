"""Who the caller is: the portal pages build their navigation from this answer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from services.api.deps import CurrentActor, SessionDep
from shared.groups.models import Group
from shared.users.models import User

router = APIRouter(prefix="/v1", tags=["me"])


class MeOut(BaseModel):
    id: uuid.UUID
    email: str | None
    role: str
    group_id: uuid.UUID | None
    client_id: uuid.UUID | None
    # The practice's conventions, so every role (clients too, who may not read /v1/settings)
    # formats money and dates the way the practice does.
    group_name: str | None = None
    currency: str | None = None
    timezone: str | None = None
    # What the payment dialog needs to offer a smaller amount (clients may not read /v1/settings).
    allow_partial_payments: bool | None = None
    minimum_payment_cents: int | None = None


@router.get("/me", response_model=MeOut)
def read_me(actor: CurrentActor, session: SessionDep) -> MeOut:
    email = None
    if actor.user_id is not None:
        user = session.get(User, actor.user_id)
        email = user.email if user else None
    group = session.get(Group, actor.group_id) if actor.group_id else None
    return MeOut(
        id=actor.user_id or actor.api_key_id,
        email=email,
        role=actor.kind,
        group_id=actor.group_id,
        client_id=actor.client_id,
        group_name=group.name if group else None,
        currency=group.currency if group else None,
        timezone=group.timezone if group else None,
        allow_partial_payments=group.allow_partial_payments if group else None,
        minimum_payment_cents=group.minimum_payment_cents if group else None,
    )
