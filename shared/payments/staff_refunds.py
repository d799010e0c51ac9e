"""Refunds staff ask for in clinicpay: a card or bank-debit payment refunded, whole or in part.

Two steps, two transactions, so nothing is ever sent twice or lost:

1. `request_refund` (under the invoice's lock, like every ledger change): refuse what cannot be
   refunded — nothing sent to Stripe — else write our Refund row, `pending`, with no Stripe id.
   A pending refund already counts against what may still be refunded, so two refunds clicked
   at once serialize on the lock and the second sees the first.
2. `send_refund`, after that commit: Stripe `refunds.create` with an idempotency key from our row's
   id (a retry, by the API or the sweeper, is the same refund at Stripe) and `metadata` naming our
   ids only; the staff's note stays here. Stripe's answer goes through `apply_refund`, as a webhook
   would: the ledger counts the refund once Stripe says it succeeded.

Stripe unreachable at step 2 leaves the row pending and unsent; `send_unsent_refunds` (beat) sends
it again. Stripe refusing it marks it `failed` with Stripe's code: nothing was refunded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import stripe
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.actor import SYSTEM, Actor
from shared.audit.service import record
from shared.errors import Conflict, ValidationFailed
from shared.groups.repository import GroupRepository
from shared.ledger.balances import lock_invoice, recompute_invoice
from shared.ledger.currency import format_money
from shared.ledger.dispute_statuses import OPEN_DISPUTE_STATUSES
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from shared.logging import get_logger
from shared.payments.refunds import RefundSnapshot, apply_refund
from shared.payments.repository import PaymentRepository
from shared.stripe_sync.gateway import StripeGateway

log = get_logger(__name__)

RefundReason = Literal["duplicate", "fraudulent", "requested_by_customer"]
# Refunds that hold money: asked for or done. A failed or canceled one gave nothing back.
HOLDING = ("pending", "succeeded")
# An unsent refund younger than this is still being sent by the request that made it.
RESEND_AFTER = timedelta(seconds=30)


def refund_idempotency_key(refund_id: uuid.UUID) -> str:
    return f"refund-{refund_id}"


def refundable_cents(session: Session, payment: Payment) -> int:
    """What may still be refunded: paid, minus refunds done or pending, minus disputed money the bank
    took back and did not return. Read under the invoice's lock."""
    held = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.group_id == payment.group_id, Refund.payment_id == payment.id, Refund.status.in_(HOLDING)
        )
    )
    disputed = session.scalar(
        select(func.coalesce(func.sum(Dispute.funds_withdrawn_cents - Dispute.funds_reinstated_cents), 0)).where(
            Dispute.group_id == payment.group_id, Dispute.payment_id == payment.id
        )
    )
    return max(payment.amount_cents - int(held or 0) - max(int(disputed or 0), 0), 0)


def _has_open_dispute(session: Session, payment: Payment) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Dispute)
            .where(Dispute.payment_id == payment.id, Dispute.status.in_(OPEN_DISPUTE_STATUSES))
        )
    )


def _refuse(session: Session, invoice: Invoice, payment: Payment, amount_cents: int) -> None:
    """Everything that refuses a refund, checked before anything is written or sent."""
    if payment.method != "card" or payment.stripe_payment_intent_id is None:
        raise Conflict(
            f"This {payment.method} payment was not made through Stripe, so there is nothing to refund at Stripe. "
            "Reverse it if it was recorded by mistake, or pay the client back outside clinicpay.",
            code="payment_not_refundable",
            param="payment_id",
            details={"payment_method": payment.method},
        )
    if payment.status != "succeeded":
        raise Conflict(
            f"Only a payment that went through can be refunded; this one is {payment.status}.",
            code="payment_not_succeeded",
            param="payment_id",
            details={"payment_status": payment.status},
        )
    if _has_open_dispute(session, payment):
        raise Conflict(
            "The client disputed this payment with their bank. Nothing was refunded: answer the dispute in "
            "Stripe instead (refunding now could pay the client twice).",
            code="payment_disputed",
            param="payment_id",
        )
    available = refundable_cents(session, payment)
    if amount_cents > available:
        raise ValidationFailed(
            f"At most {format_money(available, payment.currency)} of this payment can still be refunded "
            "(refunds already made or on their way count).",
            code="amount_exceeds_refundable",
            param="amount_cents",
            details={"refundable_cents": available},
        )


def request_refund(
    session: Session,
    actor: Actor,
    payment_id: str,
    *,
    amount_cents: int | None,
    reason: RefundReason,
    note: str | None,
) -> Refund:
    """Write the refund row (`pending`, unsent), or refuse. `amount_cents` None: all that is refundable.
    Never commits; the caller commits before `send_refund`."""
    payment, invoice = PaymentRepository.from_session(session).lock_with_invoice(actor, payment_id)
    amount = amount_cents if amount_cents is not None else refundable_cents(session, payment)
    if amount <= 0:
        raise ValidationFailed(
            "Nothing of this payment is left to refund.",
            code="amount_exceeds_refundable",
            param="amount_cents",
            details={"refundable_cents": 0},
        )
    _refuse(session, invoice, payment, amount)
    refund = Refund(
        group_id=actor.group_id,
        payment_id=payment.id,
        amount_cents=amount,
        status="pending",
        reason=reason,
        note=note or None,
        requested_by_user_id=actor.user_id,
    )
    session.add(refund)
    session.flush()
    record(
        session,
        actor,
        "refund.requested",
        "refund",
        refund.id,
        data={
            "payment_id": str(payment.id),
            "invoice_id": str(invoice.id),
            "amount_cents": amount,
            "reason": reason,
        },
    )
    log.info(
        "refund_requested",
        refund_id=str(refund.id),
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(actor.group_id),
        amount_cents=amount,
    )
    return refund


@dataclass(frozen=True)
class SendResult:
    refund_id: uuid.UUID
    outcome: Literal["sent", "refused", "already_sent"]
    stripe_code: str | None = None
    stripe_message: str | None = None


def send_refund(session: Session, group_id: uuid.UUID, refund_id: uuid.UUID, *, source: str) -> SendResult:
    """Ask Stripe for the refund our row describes and apply the answer. Never commits.

    Raises StripeUnavailable when Stripe cannot answer (the row stays unsent for the sweeper)."""
    refund = session.scalar(
        select(Refund)
        .where(Refund.id == refund_id, Refund.group_id == group_id)
        .execution_options(populate_existing=True)
    )
    if refund is None or refund.stripe_refund_id is not None or refund.status != "pending":
        return SendResult(refund_id, "already_sent")
    payment = session.get(Payment, refund.payment_id)
    assert payment is not None and payment.stripe_payment_intent_id is not None  # checked when it was asked for
    group = GroupRepository.from_session(session).get(group_id)
    metadata = {
        "group_id": str(group_id),
        "invoice_id": str(payment.invoice_id),
        "payment_id": str(payment.id),
        "refund_id": str(refund.id),
    }
    try:
        answer = StripeGateway.for_group(group).create_refund(
            payment_intent=payment.stripe_payment_intent_id,
            amount=refund.amount_cents,
            reason=_reason(refund.reason),
            metadata=metadata,
            idempotency_key=refund_idempotency_key(refund.id),
        )
    except Conflict:
        # Stripe was disconnected since the refund was asked for: nothing can be sent.
        return _refused(session, group_id, refund.id, "stripe_not_connected", "Stripe is not connected.", source)
    except stripe.StripeError as exc:  # not transient (those are StripeUnavailable): Stripe said no
        log.warning(
            "refund_refused_by_stripe",
            refund_id=str(refund.id),
            stripe_code=exc.code,
            http_status=exc.http_status,
            stripe_request_id=exc.request_id,
        )
        return _refused(session, group_id, refund.id, exc.code or "stripe_error", exc.user_message or str(exc), source)
    snapshot = RefundSnapshot.from_stripe(answer.to_dict(), payment.stripe_payment_intent_id)
    if snapshot.our_refund_id is None:
        # Stripe keeps our metadata; a stand-in that drops it must not leave our row behind.
        snapshot = replace(snapshot, our_refund_id=refund.id)
    apply_refund(session, group_id, snapshot, source=source)
    return SendResult(refund.id, "sent")


def _reason(value: str | None) -> RefundReason:
    if value == "duplicate":
        return "duplicate"
    if value == "fraudulent":
        return "fraudulent"
    return "requested_by_customer"


def _refused(
    session: Session, group_id: uuid.UUID, refund_id: uuid.UUID, code: str, message: str, source: str
) -> SendResult:
    """Stripe made no refund: the row says so (failed, with Stripe's code), and it holds no money."""
    refund = session.get(Refund, refund_id)
    assert refund is not None
    payment = session.get(Payment, refund.payment_id)
    assert payment is not None
    invoice = lock_invoice(session, payment.invoice_id, group_id)
    refund = session.scalars(
        select(Refund).where(Refund.id == refund_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if refund.stripe_refund_id is None and refund.status == "pending":
        refund.status = "failed"
        refund.failure_reason = code[:64]
        recompute_invoice(session, invoice)
        record(
            session,
            SYSTEM,
            "refund.refused",
            "refund",
            refund.id,
            group_id=group_id,
            data={"source": source, "payment_id": str(payment.id), "stripe_code": code},
        )
    return SendResult(refund_id, "refused", code, message)


def unsent_refunds(
    session: Session, now: datetime | None = None, limit: int = 100
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(group id, refund id) of refunds asked for but never answered by Stripe, oldest first."""
    cutoff = (now or datetime.now(UTC)) - RESEND_AFTER
    rows = session.execute(
        select(Refund.group_id, Refund.id)
        .where(Refund.stripe_refund_id.is_(None), Refund.status == "pending", Refund.created_at < cutoff)
        .order_by(Refund.created_at)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]
