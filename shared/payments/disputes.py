"""Card disputes as Stripe reports them: one Dispute row per Stripe dispute, upserted by its id.

Two kinds of facts, handled differently:
- the dispute's status flags or unflags the invoice; snapshots older than the newest one
  applied (Stripe's event `created` against `disputes.stripe_updated_at`) are ignored;
- money moves only on `charge.dispute.funds_withdrawn` / `funds_reinstated`. Each sets a
  state (withdrawn = the disputed amount), never adds to one, so a repeat is harmless,
  and a late one still counts because the money did move.

A dispute that reaches a status where Stripe waits for the practice's evidence (needs_response,
warning_needs_response, appeal_needs_response) raises a staff alert with the due date, once per
dispute and status. The status sets come from the pinned SDK (shared.ledger.dispute_statuses).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.actor import SYSTEM
from shared.alerts.service import alert_on_invoice
from shared.audit.service import record
from shared.ledger.balances import lock_invoice, recompute_invoice
from shared.ledger.currency import format_money
from shared.ledger.dispute_statuses import CLOSED_DISPUTE_STATUSES, NEEDS_RESPONSE_STATUSES
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment
from shared.ledger.stripe_repository import StripeLedgerRepository
from shared.logging import get_logger
from shared.payments.card import owning_payment_id
from shared.payments.refunds import MalformedObject

log = get_logger(__name__)

FUNDS_WITHDRAWN = "funds_withdrawn"
FUNDS_REINSTATED = "funds_reinstated"


@dataclass(frozen=True)
class DisputeSnapshot:
    stripe_dispute_id: str
    amount_cents: int
    status: str
    reason: str | None
    payment_intent: Any
    event_created: int
    # `evidence_details.due_by`: when Stripe stops taking the practice's evidence (None: not asked).
    due_by: int | None = None

    @classmethod
    def from_stripe(cls, dispute: dict[str, Any], event_created: int) -> DisputeSnapshot:
        dispute_id, amount, status = dispute.get("id"), dispute.get("amount"), dispute.get("status")
        if not isinstance(dispute_id, str) or not dispute_id:
            raise MalformedObject("The dispute has no id.", code="malformed_dispute")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise MalformedObject(f"Dispute {dispute_id} has no positive integer amount.", code="malformed_dispute")
        if not isinstance(status, str) or not status:
            raise MalformedObject(f"Dispute {dispute_id} has no status.", code="malformed_dispute")
        reason = dispute.get("reason") if isinstance(dispute.get("reason"), str) else None
        payment_intent = dispute.get("payment_intent")
        if payment_intent is None and isinstance(dispute.get("charge"), dict):
            payment_intent = dispute["charge"].get("payment_intent")
        evidence = dispute.get("evidence_details")
        due_by = evidence.get("due_by") if isinstance(evidence, dict) else None
        return cls(
            dispute_id,
            amount,
            status[:32],
            reason[:64] if reason else None,
            payment_intent,
            event_created,
            due_by if isinstance(due_by, int) and not isinstance(due_by, bool) else None,
        )


def _status_applies(dispute: Dispute, snapshot: DisputeSnapshot) -> bool:
    if snapshot.status == dispute.status:
        return False
    if snapshot.event_created < dispute.stripe_updated_at:
        return False  # an older snapshot than the one we hold
    # Same second: never reopen a closed dispute from a snapshot we cannot order.
    return not (snapshot.event_created == dispute.stripe_updated_at and dispute.status in CLOSED_DISPUTE_STATUSES)


def apply_dispute(
    session: Session, group_id: uuid.UUID, snapshot: DisputeSnapshot, *, funds: str | None, source: str
) -> str:
    """Upsert one dispute; `funds` is FUNDS_WITHDRAWN / FUNDS_REINSTATED for the funds events.
    Returns "applied", "unchanged" or "unmatched". Never commits."""
    repo = StripeLedgerRepository.from_session(session)
    payment_id = owning_payment_id(
        session, group_id, repo.dispute_by_stripe_id(snapshot.stripe_dispute_id), snapshot.payment_intent
    )
    if payment_id is None:
        return "unmatched"

    payment = session.get_one(Payment, payment_id)
    invoice = lock_invoice(session, payment.invoice_id, group_id)
    dispute = repo.dispute_by_stripe_id(snapshot.stripe_dispute_id)  # re-read under the lock
    changes: dict[str, Any] = {}
    if dispute is None:
        dispute = Dispute(
            group_id=group_id,
            payment_id=payment_id,
            stripe_dispute_id=snapshot.stripe_dispute_id,
            amount_cents=snapshot.amount_cents,
            status=snapshot.status,
            reason=snapshot.reason,
            funds_withdrawn_cents=0,
            funds_reinstated_cents=0,
            stripe_updated_at=snapshot.event_created,
        )
        session.add(dispute)
        changes["status"] = [None, snapshot.status]
    elif _status_applies(dispute, snapshot):
        changes["status"] = [dispute.status, snapshot.status]
        dispute.status = snapshot.status
        dispute.amount_cents = snapshot.amount_cents
        if snapshot.reason:
            dispute.reason = snapshot.reason
    dispute.stripe_updated_at = max(dispute.stripe_updated_at or 0, snapshot.event_created)

    if funds == FUNDS_WITHDRAWN and dispute.funds_withdrawn_cents != snapshot.amount_cents:
        changes["funds_withdrawn_cents"] = [dispute.funds_withdrawn_cents, snapshot.amount_cents]
        dispute.funds_withdrawn_cents = snapshot.amount_cents
    elif funds == FUNDS_REINSTATED and dispute.funds_reinstated_cents != snapshot.amount_cents:
        changes["funds_reinstated_cents"] = [dispute.funds_reinstated_cents, snapshot.amount_cents]
        dispute.funds_reinstated_cents = snapshot.amount_cents

    if not changes:
        return "unchanged"
    session.flush()
    recompute_invoice(session, invoice)
    if "status" in changes and dispute.status in NEEDS_RESPONSE_STATUSES:
        _alert_needs_response(session, group_id, invoice, dispute, snapshot)
    record(
        session,
        SYSTEM,
        f"dispute.{funds or snapshot.status}",
        "dispute",
        dispute.id,
        group_id=group_id,
        data={
            "source": source,
            "stripe_dispute_id": snapshot.stripe_dispute_id,
            "payment_id": str(payment_id),
            "changes": changes,
        },
    )
    log.info(
        "dispute_applied",
        payment_id=str(payment_id),
        invoice_id=str(invoice.id),
        group_id=str(group_id),
        stripe_dispute_id=snapshot.stripe_dispute_id,
        status=dispute.status,
        funds=funds,
    )
    return "applied"


def _alert_needs_response(
    session: Session, group_id: uuid.UUID, invoice: Invoice, dispute: Dispute, snapshot: DisputeSnapshot
) -> None:
    """Once per dispute and status: an appeal that needs an answer is a new thing to do."""
    money = format_money(dispute.amount_cents, invoice.currency)
    kind = {"warning_needs_response": "inquiry", "appeal_needs_response": "appeal"}.get(dispute.status, "dispute")
    due_at = datetime.fromtimestamp(snapshot.due_by, UTC) if snapshot.due_by is not None else None
    by = f"by {due_at:%Y-%m-%d %H:%M} UTC" if due_at else "before Stripe's due date (Stripe gave none)"
    why = f" (reason: {dispute.reason.replace('_', ' ')})" if dispute.reason else ""
    alert_on_invoice(
        session,
        invoice,
        kind="dispute_needs_response",
        cause=f"{dispute.stripe_dispute_id}:{dispute.status}",
        payment_id=dispute.payment_id,
        message=(
            f"The client's bank opened a card {kind} of {money} on invoice {invoice.number}{why}. "
            f"Answer it in Stripe {by}, or the practice loses it (dispute {dispute.stripe_dispute_id})."
        ),
        data={
            "stripe_dispute_id": dispute.stripe_dispute_id,
            "status": dispute.status,
            "amount_cents": dispute.amount_cents,
            "currency": invoice.currency,
            "due_by": due_at.isoformat() if due_at else None,
        },
    )
