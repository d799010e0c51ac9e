"""Card refunds as Stripe reports them: one Refund row per Stripe refund, upserted by its id.

Only succeeded refunds count in the ledger (shared.payments.ledger); a refund's status
moves forward only (pending → succeeded → failed, or → canceled), so an old snapshot
arriving after a newer one changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.audit.service import SYSTEM, record
from shared.errors import ValidationFailed
from shared.logging import get_logger
from shared.payments.card import owning_payment_id
from shared.payments.ledger import lock_invoice, recompute_invoice
from shared.payments.models import Payment, Refund
from shared.payments.stripe_repository import StripeLedgerRepository

log = get_logger(__name__)

_STATUS = {"pending": "pending", "requires_action": "pending", "succeeded": "succeeded",
           "failed": "failed", "canceled": "canceled"}
_RANK = {"pending": 0, "succeeded": 1, "failed": 2, "canceled": 2}


class MalformedObject(ValidationFailed):
    """A Stripe object without what its type promises; the event is kept for an operator."""


@dataclass(frozen=True)
class RefundSnapshot:
    stripe_refund_id: str
    amount_cents: int
    status: str
    reason: str | None
    payment_intent: Any  # id or expanded object; None when Stripe did not say

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
        return cls(refund_id, amount, _STATUS[status], reason[:64] if reason else None,
                   refund.get("payment_intent") or payment_intent)


def _may_move(current: str, new: str) -> bool:
    return current != new and _RANK[new] > _RANK.get(current, -1)


def apply_refund(session, group_id: uuid.UUID, snapshot: RefundSnapshot, *, source: str) -> str:  # noqa: ANN001
    """Upsert one refund. Returns "applied", "unchanged" or "unmatched". Never commits."""
    repo = StripeLedgerRepository.from_session(session)
    payment_id = owning_payment_id(session, group_id, repo.refund_by_stripe_id(snapshot.stripe_refund_id),
                                   snapshot.payment_intent)
    if payment_id is None:
        return "unmatched"

    invoice_id = repo.session.get(Payment, payment_id).invoice_id
    invoice = lock_invoice(session, invoice_id, group_id)
    payment = repo.reload_payment(payment_id)
    refund = repo.refund_by_stripe_id(snapshot.stripe_refund_id)  # re-read under the lock
    if refund is None:
        refund = Refund(group_id=group_id, payment_id=payment.id, stripe_refund_id=snapshot.stripe_refund_id,
                        amount_cents=snapshot.amount_cents, status=snapshot.status, reason=snapshot.reason)
        session.add(refund)
        previous = None
    elif _may_move(refund.status, snapshot.status):
        previous = refund.status
        refund.status = snapshot.status
        refund.amount_cents = snapshot.amount_cents
    else:
        return "unchanged"

    session.flush()
    payment.refunded_cents = sum(r.amount_cents for r in repo.refunds_of_payment(payment.id)
                                 if r.status == "succeeded")
    if payment.refunded_cents > payment.amount_cents:
        log.warning("refunds_exceed_payment", payment_id=str(payment.id), refunded=payment.refunded_cents,
                    amount=payment.amount_cents)
    recompute_invoice(session, invoice)
    record(session, SYSTEM, f"refund.{snapshot.status}", "refund", refund.id, group_id=group_id,
           data={"source": source, "from": previous, "to": snapshot.status, "payment_id": str(payment.id),
                 "stripe_refund_id": snapshot.stripe_refund_id, "amount_cents": snapshot.amount_cents})
    log.info("refund_applied", payment_id=str(payment.id), invoice_id=str(invoice.id), group_id=str(group_id),
             stripe_refund_id=snapshot.stripe_refund_id, status=snapshot.status, previous=previous)
    return "applied"
