"""Apply a Stripe PaymentIntent's state to our card Payment — the one function for it.

Whoever brings the state (the server's own confirm call, a webhook, reconciliation)
calls `apply_payment_intent`; applying the same state twice changes nothing, and a
state never moves backwards, so snapshots arriving late or out of order are harmless.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.audit.service import SYSTEM, record
from shared.logging import get_logger
from shared.payments.ledger import ledger_totals, lock_invoice, recompute_invoice
from shared.payments.models import Payment
from shared.payments.stripe_repository import StripeLedgerRepository

log = get_logger(__name__)

TERMINAL = frozenset({"succeeded", "failed", "canceled"})
_RANK = {"pending": 0, "requires_action": 1, "processing": 2, "succeeded": 3, "failed": 3, "canceled": 3}


@dataclass(frozen=True)
class ApplyResult:
    outcome: str  # "applied" | "unchanged" | "unmatched"
    payment_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    status: str | None = None  # our payment status after applying


def our_status(payment_intent: dict[str, Any]) -> str | None:
    """Stripe's PaymentIntent status in our words; None for a status we do not know."""
    status = payment_intent.get("status")
    if status == "requires_payment_method":
        return "failed" if payment_intent.get("last_payment_error") else "pending"
    if status == "requires_confirmation":
        return "pending"
    if status == "requires_capture":
        return "processing"  # authorised, not yet captured: money is on its way
    if status in ("requires_action", "processing", "succeeded", "canceled"):
        return status
    return None


def may_move(current: str, new: str) -> bool:
    """Forward only. A failed PI may still succeed with a new card (same PI); nothing leaves
    succeeded or canceled, and a reversed manual payment is never touched from Stripe."""
    if current == new or current not in _RANK or new not in _RANK:
        return False
    if current == "failed":
        return new in ("requires_action", "processing", "succeeded", "canceled")
    if current in TERMINAL:
        return False
    return _RANK[new] > _RANK[current]


def order_is_ambiguous(current: str, new: str) -> bool:
    """Moves that rank alone cannot vouch for: a decline and a new attempt on the same PI alternate
    (processing → failed → processing …), so a late snapshot of either may look like progress.
    Whoever holds only a snapshot (a webhook) should ask Stripe for the current state first."""
    if not may_move(current, new):
        return False
    return (current == "failed" and new in ("requires_action", "processing")) or \
        (new == "failed" and current in ("requires_action", "processing"))


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("id")
    return None


def owning_payment_id(session, group_id: uuid.UUID, existing: Any, payment_intent: Any) -> uuid.UUID | None:  # noqa: ANN001
    """The payment a refund or dispute belongs to: the one we already filed it under (`existing`,
    our row for it or None), else the card payment its PaymentIntent names. None when it is another
    group's, or names no payment of ours."""
    if existing is not None:
        return existing.payment_id if existing.group_id == group_id else None
    payment = find_card_payment(session, group_id, payment_intent) if payment_intent else None
    return payment.id if payment is not None else None


def find_card_payment(session, group_id: uuid.UUID, payment_intent: Any) -> Payment | None:  # noqa: ANN001
    """Our payment for a PaymentIntent (an id or an object), only if it belongs to `group_id`.

    By the PI id first; else, for an object, by `metadata.payment_id` when its
    `metadata.group_id` names this group and the payment has no other PI yet.
    """
    repo = StripeLedgerRepository.from_session(session)
    pi_id = _id_of(payment_intent)
    if pi_id:
        payment = repo.payment_by_intent(pi_id)
        if payment is not None:
            return payment if payment.group_id == group_id else None
    metadata = payment_intent.get("metadata") if isinstance(payment_intent, dict) else None
    if not isinstance(metadata, dict) or metadata.get("group_id") != str(group_id):
        return None
    try:
        payment_id = uuid.UUID(str(metadata.get("payment_id")))
    except ValueError:
        return None
    payment = repo.card_payment_in_group(payment_id, group_id)
    if payment is None:
        return None
    if payment.stripe_payment_intent_id and payment.stripe_payment_intent_id != pi_id:
        log.warning("payment_intent_mismatch", payment_id=str(payment.id), payment_intent=pi_id)
        return None
    return payment


def _stripe_amount(payment_intent: dict[str, Any], new_status: str) -> int | None:
    key = "amount_received" if new_status == "succeeded" else "amount"
    value = payment_intent.get(key)
    if new_status == "succeeded" and not value:
        value = payment_intent.get("amount")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def apply_payment_intent(session, group_id: uuid.UUID, payment_intent: dict, *, source: str,  # noqa: ANN001
                         found: Payment | None = None) -> ApplyResult:
    """Apply a PaymentIntent snapshot to our payment. Never commits.

    `found`: our payment for this PaymentIntent when the caller already looked it up with
    `find_card_payment` (a query saved; it is re-read under the invoice lock either way)."""
    new_status = our_status(payment_intent)
    found = found or find_card_payment(session, group_id, payment_intent)
    if found is None:
        return ApplyResult("unmatched")
    if new_status is None:
        log.warning("payment_intent_status_unknown", payment_id=str(found.id), stripe_status=payment_intent.get("status"))
        return ApplyResult("unchanged", found.id, found.invoice_id, found.status)

    # Lock the invoice first, then re-read the payment: concurrent appliers serialize here.
    invoice = lock_invoice(session, found.invoice_id, group_id)
    repo = StripeLedgerRepository.from_session(session)
    payment = repo.reload_payment(found.id)
    pi_id = payment_intent.get("id")
    if not may_move(payment.status, new_status):
        return ApplyResult("unchanged", payment.id, payment.invoice_id, payment.status)

    old_status = payment.status
    owed = 0
    if new_status == "succeeded":
        # What the invoice still owed before this payment counts; the rest is an overpayment to hand back.
        # Read before touching the payment, so its changes reach the database in one UPDATE (autoflush).
        totals = ledger_totals(session, invoice.id)
        owed = 0 if invoice.voided_at is not None else max(invoice.total_cents - totals.paid_cents, 0)
    if pi_id and payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = pi_id
    payment_method = _id_of(payment_intent.get("payment_method"))
    if payment_method:
        payment.stripe_payment_method_id = payment_method

    stripe_amount = _stripe_amount(payment_intent, new_status)
    if stripe_amount is not None and stripe_amount != payment.amount_cents:
        log.warning("payment_amount_differs_from_stripe", payment_id=str(payment.id), ours=payment.amount_cents,
                    stripe=stripe_amount, payment_intent=pi_id)
        payment.amount_cents = stripe_amount

    if new_status == "failed":
        error = payment_intent.get("last_payment_error") or {}
        payment.failure_message = (error.get("message") if isinstance(error, dict) else None) or "The card was declined."
    elif new_status == "succeeded":
        payment.failure_message = None
        payment.overpayment_cents = max(payment.amount_cents - owed, 0)

    payment.status = new_status
    recompute_invoice(session, invoice)
    record(session, SYSTEM, f"payment.{new_status}", "payment", payment.id, group_id=group_id,
           data={"source": source, "from": old_status, "to": new_status, "payment_intent": pi_id,
                 "amount_cents": payment.amount_cents, "overpayment_cents": payment.overpayment_cents})
    log.info("payment_intent_applied", payment_id=str(payment.id), invoice_id=str(invoice.id),
             group_id=str(group_id), status=new_status, previous=old_status, source=source)
    return ApplyResult("applied", payment.id, payment.invoice_id, payment.status)
