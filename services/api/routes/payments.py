"""Payments: the practice's list (a client's), reversing a mistaken manual one, refunding a card or bank-debit one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.api.deps import CurrentStaff, SessionDep, commit_now
from services.api.idempotent import IdempotencyKey, once, was_replayed
from services.api.lists import ListOut, PageQuery
from services.api.pdf_responses import RECEIPT_RESPONSES, receipt_response
from shared.clients.repository import ClientRepository
from shared.db.ids import parse_id
from shared.errors import Conflict, NotFound
from shared.invoicing.documents import render_receipt
from shared.logging import get_logger
from shared.payments import service, staff_refunds
from shared.payments.repository import PaymentRepository
from shared.payments.schemas import PaymentOut, RefundCreate, RefundOut, ReverseRequest
from shared.stripe_sync.gateway import StripeUnavailable
from shared.text import text

router = APIRouter(prefix="/v1/payments", tags=["payments"])
log = get_logger(__name__)


@router.get("", response_model=ListOut[PaymentOut])
def list_payments(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    client_id: Annotated[text(max_length=64) | None, Query(description="Only this client's invoices.")] = None,
) -> ListOut[PaymentOut]:
    """The practice's payments newest first, every method and status (a client's page lists theirs)."""
    client = (
        ClientRepository.from_session(session).get_or_404(actor, client_id, param="client_id") if client_id else None
    )
    page = PaymentRepository.from_session(session).list_page(
        actor, **asked.kwargs(), client_id=client.id if client else None
    )
    return ListOut[PaymentOut](data=service.payment_views(session, page.data), has_more=page.has_more)


@router.get("/{payment_id}/receipt", response_class=Response, responses=RECEIPT_RESPONSES)
def get_receipt(payment_id: str, actor: CurrentStaff, session: SessionDep) -> Response:
    """The payment's receipt as a PDF (the letterhead, amount, date, method, refunds; never the
    invoice's lines). `409 payment_not_succeeded` for a payment that was not received."""
    payment = PaymentRepository.from_session(session).get(actor, parse_id(payment_id, "payment"))
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    invoice = PaymentRepository.from_session(session).invoice_of(payment)
    return receipt_response(invoice, render_receipt(session, invoice, payment))


@router.post("/{payment_id}/reverse", response_model=PaymentOut)
def reverse_payment(payment_id: str, body: ReverseRequest, actor: CurrentStaff, session: SessionDep) -> PaymentOut:
    """Undo a manual payment entered by mistake; it stays in the history as `reversed`. Card money is refunded
    instead."""
    return service.payment_views(session, [service.reverse_payment(session, actor, payment_id, body)])[0]


def _current(session: SessionDep, group_id: uuid.UUID, refund_id: uuid.UUID) -> RefundOut:
    """The practice's refund as it stands now (Stripe's answer may have moved it since it was written)."""
    return RefundOut.model_validate(PaymentRepository.from_session(session).current_refund(group_id, refund_id))


@router.post(
    "/{payment_id}/refunds",
    status_code=201,
    response_model=RefundOut,
    responses={202: {"model": RefundOut, "description": "Saved; Stripe could not be reached and is asked again."}},
)
def refund_payment(
    payment_id: str,
    body: RefundCreate,
    actor: CurrentStaff,
    session: SessionDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> RefundOut:
    """Refund a card or bank-debit payment, whole (no `amount_cents`) or in part. Refused, with nothing sent
    to Stripe, beyond what is still refundable, for a manual payment, a payment that did not go through, or
    one with an open dispute. `201`: Stripe answered (the refund is `succeeded`, or `pending` on its way);
    `202`: Stripe could not be reached, the refund is saved and sent again shortly."""

    def write() -> RefundOut:
        refund = staff_refunds.request_refund(
            session, actor, payment_id, amount_cents=body.amount_cents, reason=body.reason, note=body.note
        )
        return RefundOut.model_validate(refund)

    def replay(stored: dict[str, Any]) -> RefundOut:
        return _current(session, actor.practice_id, uuid.UUID(stored["id"]))  # the same refund, as it stands now

    asked = once(session, actor, response, idempotency_key, f"refund:{payment_id}", body, 201, write, replay)
    if was_replayed(response):
        return asked
    # The row stands before Stripe is asked: whatever happens next, the refund is ours to finish.
    commit_now(session)
    try:
        result = staff_refunds.send_refund(session, actor.practice_id, asked.id, source="api")
    except StripeUnavailable:
        log.warning("refund_send_postponed", refund_id=str(asked.id), payment_id=payment_id)
        response.status_code = 202
        return asked
    if result.outcome == "refused":
        commit_now(session)
        raise Conflict(
            f"Stripe refused the refund: {result.stripe_message or result.stripe_code}. Nothing was refunded.",
            code="refund_refused_by_stripe",
            param="payment_id",
            details={"refund_id": str(asked.id), "stripe_code": result.stripe_code},
        )
    return _current(session, actor.practice_id, asked.id)
