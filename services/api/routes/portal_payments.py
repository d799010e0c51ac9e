"""The client portal's card payments: start (or resume), confirm, read, cancel.

Confirming commits twice on purpose: the PaymentIntent's id is committed before it is
confirmed, so a crash in between can never lead to a second PaymentIntent.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from services.api.deps import CurrentClient, SessionDep
from shared.db.ids import parse_id
from shared.payments import portal_card
from shared.payments.portal_schemas import CardPaymentStart, CardPaymentStarted, CardPaymentState
from shared.tasks.enqueue import flush_after_commit

router = APIRouter(prefix="/v1/portal", tags=["portal payments"])


def _commit_now(session: Session) -> None:
    session.commit()
    flush_after_commit()


@router.post("/invoices/{invoice_id}/payments", status_code=201, response_model=CardPaymentStarted,
             responses={200: {"model": CardPaymentStarted, "description": "the still-pending payment, resumed"}})
def start_payment(invoice_id: str, actor: CurrentClient, session: SessionDep, response: Response,
                  body: CardPaymentStart | None = None) -> CardPaymentStarted:
    started, created = portal_card.start_card_payment(session, actor, parse_id(invoice_id, "invoice"),
                                                      body.amount_cents if body else None)
    if not created:
        response.status_code = 200
    return started


@router.post("/payments/{payment_id}/confirm", response_model=CardPaymentState)
def confirm_payment(payment_id: str, actor: CurrentClient, session: SessionDep) -> CardPaymentState:
    portal_card.prepare_payment_intent(session, actor, parse_id(payment_id, "payment"))
    _commit_now(session)
    return portal_card.confirm_card_payment(session, actor, parse_id(payment_id, "payment"))


@router.get("/payments/{payment_id}", response_model=CardPaymentState)
def get_payment(payment_id: str, actor: CurrentClient, session: SessionDep) -> CardPaymentState:
    return portal_card.get_card_payment(session, actor, parse_id(payment_id, "payment"))


@router.post("/payments/{payment_id}/cancel", response_model=CardPaymentState)
def cancel_payment(payment_id: str, actor: CurrentClient, session: SessionDep) -> CardPaymentState:
    return portal_card.cancel_card_payment(session, actor, parse_id(payment_id, "payment"))
