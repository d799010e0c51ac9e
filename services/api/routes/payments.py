"""A payment on its own: reversing a mistaken manual one."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentStaff, SessionDep
from shared.payments import service
from shared.payments.schemas import PaymentOut, ReverseRequest

router = APIRouter(prefix="/v1/payments", tags=["payments"])


@router.post("/{payment_id}/reverse", response_model=PaymentOut)
def reverse_payment(payment_id: str, body: ReverseRequest, actor: CurrentStaff, session: SessionDep) -> PaymentOut:
    """Undo a manual payment entered by mistake; it stays in the history as `reversed`. Card money is refunded
    instead."""
    return service.payment_views(session, [service.reverse_payment(session, actor, payment_id, body)])[0]
