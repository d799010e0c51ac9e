"""The client portal's payments (Payment Element: cards, wallets, Link, ACH): start (or resume), confirm,
read, cancel; and the receipt of any of the client's payments.

Confirming commits twice on purpose: the PaymentIntent's id is committed before it is
confirmed, so a crash in between can never lead to a second PaymentIntent.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.api.deps import CurrentClient, SessionDep, commit_now
from services.api.openapi import STRIPE_ERROR
from services.api.pdf_responses import RECEIPT_RESPONSES, receipt_response
from shared.db.ids import parse_id
from shared.errors import NotFound
from shared.invoicing.documents import render_receipt
from shared.payments import portal_card
from shared.payments.portal_repository import PortalPaymentRepository
from shared.payments.portal_schemas import CardPaymentConfirm, CardPaymentStart, CardPaymentStarted, CardPaymentState
from shared.payments.repository import PaymentRepository

router = APIRouter(prefix="/v1/portal", tags=["portal payments"])


@router.post(
    "/invoices/{invoice_id}/payments",
    status_code=201,
    response_model=CardPaymentStarted,
    responses={200: {"model": CardPaymentStarted, "description": "the still-pending payment, resumed"}},
)
def start_payment(
    invoice_id: str, actor: CurrentClient, session: SessionDep, response: Response, body: CardPaymentStart | None = None
) -> CardPaymentStarted:
    started, created = portal_card.start_card_payment(
        session, actor, parse_id(invoice_id, "invoice"), body.amount_cents if body else None
    )
    if not created:
        response.status_code = 200
    return started


@router.post("/payments/{payment_id}/confirm", response_model=CardPaymentState, responses=STRIPE_ERROR)
def confirm_payment(
    payment_id: str, actor: CurrentClient, session: SessionDep, body: CardPaymentConfirm | None = None
) -> CardPaymentState:
    """With the browser's ConfirmationToken the server creates (once) and confirms the PaymentIntent;
    without one, after 3-D Secure or a lost answer, it re-reads Stripe and applies what it says."""
    portal_card.prepare_payment_intent(
        session, actor, parse_id(payment_id, "payment"), body.confirmation_token if body else None
    )
    commit_now(session)
    return portal_card.confirm_card_payment(session, actor, parse_id(payment_id, "payment"))


@router.get("/payments/{payment_id}", response_model=CardPaymentState)
def get_payment(payment_id: str, actor: CurrentClient, session: SessionDep) -> CardPaymentState:
    return portal_card.get_card_payment(session, actor, parse_id(payment_id, "payment"))


@router.get("/payments/{payment_id}/receipt", response_class=Response, responses=RECEIPT_RESPONSES)
def get_receipt(payment_id: str, actor: CurrentClient, session: SessionDep) -> Response:
    """The receipt of one of your payments (card, bank or recorded by the practice), as a PDF."""
    payment = None
    if actor.client_id is not None:
        payment = PortalPaymentRepository.from_session(session).client_payment(
            parse_id(payment_id, "payment"), actor.practice_id, actor.client_id
        )
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    invoice = PaymentRepository.from_session(session).invoice_of(payment)
    return receipt_response(invoice, render_receipt(session, invoice, payment))


@router.post("/payments/{payment_id}/cancel", response_model=CardPaymentState, responses=STRIPE_ERROR)
def cancel_payment(payment_id: str, actor: CurrentClient, session: SessionDep) -> CardPaymentState:
    return portal_card.cancel_card_payment(session, actor, parse_id(payment_id, "payment"))
