"""Card refunds as Stripe reports them: one Refund row per Stripe refund, upserted by its id.

Only succeeded refunds count in the ledger (shared.ledger.balances); a refund's status
moves forward only (pending → succeeded → failed, or → canceled), so an old snapshot
arriving after a newer one changes nothing.

A refund asked for in clinicpay (shared.payments.staff_refunds) has its row before Stripe has
the refund; Stripe's refund names it in `metadata.refund_id`. Whichever reports it first — the
create's answer, a `refund.*` webhook, reconciliation — fills in the Stripe id on that row, so
ours and Stripe's are one row, never two.

A refund that fails (or is canceled) after it was asked for puts the money back in the ledger —
the payment counts as paid again — and raises a `refund_failed` staff alert: the client did not
get their money back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.actor import SYSTEM
from shared.alerts.service import alert_on_invoice
from shared.audit.service import record
from shared.errors import ValidationFailed
from shared.ledger.balances import lock_invoice, recompute_invoice
from shared.ledger.currency import format_money
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment, Refund
from shared.ledger.stripe_repository import StripeLedgerRepository
from shared.logging import get_logger
from shared.outbox.service import refund_changed
from shared.payments.card import find_card_payment, owning_payment_id

log = get_logger(__name__)

_STATUS = {
    "pending": "pending",
    "requires_action": "pending",
    "succeeded": "succeeded",
    "failed": "failed",
    "canceled": "canceled",
}
_RANK = {"pending": 0, "succeeded": 1, "failed": 2, "canceled": 2}
# Refunds that returned nothing to the client after all.
NOT_RETURNED = frozenset({"failed", "canceled"})
# Stripe's `failure_reason` codes in words for staff (others are shown as Stripe wrote them).
FAILURE_REASONS = {
    "lost_or_stolen_card": "the card was reported lost or stolen",
    "expired_or_canceled_card": "the card has expired or was canceled",
    "charge_for_pending_refund_disputed": "the client disputed the charge while the refund was pending",
    "insufficient_funds": "the Stripe balance could not cover it",
    "declined": "the client's bank declined it",
    "merchant_request": "it was canceled at the practice's request",
    "unknown": "Stripe did not say why",
}


class MalformedObject(ValidationFailed):
    """A Stripe object without what its type promises; the event is kept for an operator."""


@dataclass(frozen=True)
class RefundSnapshot:
    stripe_refund_id: str
    amount_cents: int
    status: str
    reason: str | None
    payment_intent: Any  # id or expanded object; None when Stripe did not say
    failure_reason: str | None = None
    # Our refund row's id, from `metadata.refund_id`, for a refund asked for in clinicpay.
    our_refund_id: uuid.UUID | None = None

    @classmethod
    def from_stripe(cls, refund: dict[str, Any], payment_intent: Any = None) -> RefundSnapshot:
        refund_id, amount, status = refund.get("id"), refund.get("amount"), refund.get("status")
        if not isinstance(refund_id, str) or not refund_id:
            raise MalformedObject("The refund has no id.", code="malformed_refund")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise MalformedObject(f"Refund {refund_id} has no positive integer amount.", code="malformed_refund")
        if status not in _STATUS:
            raise MalformedObject(f"Refund {refund_id} has an unknown status.", code="malformed_refund")
        reason = refund.get("reason") if isinstance(refund.get("reason"), str) else None
        failure = refund.get("failure_reason") if isinstance(refund.get("failure_reason"), str) else None
        metadata = refund.get("metadata")
        ours: uuid.UUID | None = None
        if isinstance(metadata, dict) and isinstance(metadata.get("refund_id"), str):
            try:
                ours = uuid.UUID(metadata["refund_id"])
            except ValueError:
                ours = None
        return cls(
            refund_id,
            amount,
            _STATUS[status],
            reason[:64] if reason else None,
            refund.get("payment_intent") or payment_intent,
            failure[:64] if failure else None,
            ours,
        )


def _may_move(current: str, new: str) -> bool:
    return current != new and _RANK[new] > _RANK.get(current, -1)


def _our_unsent_refund(
    session: Session, group_id: uuid.UUID, snapshot: RefundSnapshot, *, for_update: bool = False
) -> Refund | None:
    """Our row that `metadata.refund_id` names, if it is this group's, still waits for its Stripe id,
    and belongs to the payment the refund's PaymentIntent names (metadata alone is not trusted)."""
    if snapshot.our_refund_id is None:
        return None
    ours = StripeLedgerRepository.from_session(session).unsent_refund(snapshot.our_refund_id, group_id, for_update)
    if ours is None:
        return None
    payment = find_card_payment(session, group_id, snapshot.payment_intent) if snapshot.payment_intent else None
    return ours if payment is not None and payment.id == ours.payment_id else None


def apply_refund(session: Session, group_id: uuid.UUID, snapshot: RefundSnapshot, *, source: str) -> str:
    """Upsert one refund. Returns "applied", "unchanged" or "unmatched". Never commits."""
    repo = StripeLedgerRepository.from_session(session)
    known = repo.refund_by_stripe_id(snapshot.stripe_refund_id) or _our_unsent_refund(session, group_id, snapshot)
    payment_id = owning_payment_id(session, group_id, known, snapshot.payment_intent)
    if payment_id is None:
        return "unmatched"

    payment_row = repo.session.get_one(Payment, payment_id)
    invoice = lock_invoice(session, payment_row.invoice_id, group_id)
    payment = repo.reload_payment(payment_row)
    # Re-read under the lock: by Stripe's id, else our own row still waiting for it.
    refund = repo.refund_by_stripe_id(snapshot.stripe_refund_id) or _our_unsent_refund(
        session, group_id, snapshot, for_update=True
    )
    previous: str | None
    if refund is None:
        refund = Refund(
            group_id=group_id,
            payment_id=payment.id,
            stripe_refund_id=snapshot.stripe_refund_id,
            amount_cents=snapshot.amount_cents,
            status=snapshot.status,
            reason=snapshot.reason,
            failure_reason=snapshot.failure_reason,
        )
        session.add(refund)
        previous = None
    elif refund.stripe_refund_id is None or _may_move(refund.status, snapshot.status):
        # Our own row gets Stripe's id whatever the status says; the status still moves forward only.
        previous = refund.status
        refund.stripe_refund_id = snapshot.stripe_refund_id
        if _may_move(refund.status, snapshot.status):
            refund.status = snapshot.status
        refund.amount_cents = snapshot.amount_cents
        if snapshot.failure_reason:
            refund.failure_reason = snapshot.failure_reason
        if snapshot.reason and not refund.reason:
            refund.reason = snapshot.reason
    else:
        return "unchanged"

    session.flush()
    payment.refunded_cents = sum(r.amount_cents for r in repo.refunds_of_payment(payment) if r.status == "succeeded")
    if payment.refunded_cents > payment.amount_cents:
        log.warning(
            "refunds_exceed_payment",
            payment_id=str(payment.id),
            refunded=payment.refunded_cents,
            amount=payment.amount_cents,
        )
    recompute_invoice(session, invoice)
    record(
        session,
        SYSTEM,
        f"refund.{refund.status}",
        "refund",
        refund.id,
        group_id=group_id,
        data={
            "source": source,
            "from": previous,
            "to": refund.status,
            "payment_id": str(payment.id),
            "stripe_refund_id": snapshot.stripe_refund_id,
            "amount_cents": snapshot.amount_cents,
        },
    )
    refund_changed(session, invoice, refund)  # the client's refund receipt, once it succeeded
    if refund.status in NOT_RETURNED and previous != refund.status:
        refund_not_returned(session, invoice, payment, refund)
    log.info(
        "refund_applied",
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(group_id),
        stripe_refund_id=snapshot.stripe_refund_id,
        status=refund.status,
        previous=previous,
        source=source,
    )
    return "applied"


def refund_not_returned(session: Session, invoice: Invoice, payment: Payment, refund: Refund) -> None:
    """The ledger already counts the payment as paid again (only succeeded refunds count); staff must
    hear that the client did not get the money back. Once per refund, however often Stripe says so."""
    why = FAILURE_REASONS.get(refund.failure_reason or "", refund.failure_reason or "Stripe did not say why")
    money = format_money(refund.amount_cents, payment.currency)
    word = "failed" if refund.status == "failed" else "was canceled"
    log.warning(
        "refund_not_returned",
        refund_id=str(refund.id),
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(payment.group_id),
        status=refund.status,
        failure_reason=refund.failure_reason,
    )
    alert_on_invoice(
        session,
        invoice,
        kind="refund_failed",
        cause=refund.id,
        payment_id=payment.id,
        message=(
            f"A refund of {money} on invoice {invoice.number} {word} at Stripe ({why}). The client did not get "
            "the money back; it counts as paid on the invoice again. Refund the client another way, or ask "
            "them for another card."
        ),
        data={
            "refund_id": str(refund.id),
            "stripe_refund_id": refund.stripe_refund_id,
            "amount_cents": refund.amount_cents,
            "currency": payment.currency,
            "status": refund.status,
            "failure_reason": refund.failure_reason,
        },
    )
