"""An invoice's timeline: what happened to it, when and by whom, in the order it happened.

It is read from the records the ledger already keeps — the audit trail of the invoice and of its
payments, refunds and disputes (written in the same transaction as each change) and the emails the
outbox wrote for it — so it can never disagree with them. Nothing is stored twice. Each entry carries
a sentence for people and its `action` for programs; amounts stay integer minor units beside the
sentence. Staff only: the sentences may quote what staff typed (a cheque reference, a reversal
reason), never a line's service description.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shared.audit.models import AuditEvent
from shared.ledger.currency import format_money
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Dispute, Payment, Refund
from shared.outbox.models import OutboxMessage
from shared.outbox.service import format_day
from shared.users.models import ApiKey, User

# An invoice gathers a few dozen entries in a busy life; this bounds what one answer carries.
MAX_ENTRIES = 500

_METHODS = {"insurance": "Insurance", "cash": "Cash", "check": "Check", "external": "Other", "card": "Card"}
_EMAILS = {
    "invoice_issued": "Invoice email",
    "payment_receipt": "Payment receipt",
    "payment_failed": "Payment failed notice",
    "refund_receipt": "Refund receipt",
    "pay_link": "New pay link email",
    "reminder": "Payment reminder",
    "staff_alert": "Staff alert email",
}
# Why a message was not sent (the row's skip_reason): shared/outbox/service.py, shared/reminders/service.py.
_SKIP_REASONS = {
    "no_email_address": "the client has no email address",
    "invoice_settled": "the invoice was paid or voided before it went",
    "invoice_disputed": "a payment was disputed before it went",
    "payment_processing": "a payment was on its way",
    "opted_out": "the client had stopped reminders",
}
_EMAIL_STATES = {
    "pending": "waiting to be sent",
    "sent": "sent",
    "failed": "could not be delivered",
    "skipped": "not sent",
}
_REFUND_REASONS = {
    "requested_by_customer": "requested by the client",
    "duplicate": "duplicate payment",
    "fraudulent": "fraudulent payment",
}
# Records that repeat another entry's news in the invoice's own words (the payment's entry says it).
_TWINS = frozenset({"invoice.payment_recorded", "invoice.payment_reversed"})


class TimelineEntry(BaseModel):
    at: datetime
    source: Literal["audit", "email"] = Field(description="The audit trail, or the email outbox.")
    action: str = Field(examples=["payment.recorded", "email.payment_receipt"])
    summary: str = Field(examples=["Check payment of $40.00 recorded (received April 2, 2026), ref. chk-1042"])
    actor: str = Field(description="A staff member's email, 'API key <name>', 'Client', 'Stripe' or 'clinicpay'.")
    amount_cents: int | None = None


def invoice_timeline(session: Session, invoice: Invoice) -> tuple[list[TimelineEntry], bool]:
    """The invoice's entries oldest first, and whether more than MAX_ENTRIES exist (the oldest are kept)."""
    payments = {p.id: p for p in session.scalars(select(Payment).where(Payment.invoice_id == invoice.id))}
    refunds = session.scalars(select(Refund.id).where(Refund.payment_id.in_(payments))).all() if payments else []
    disputes = session.scalars(select(Dispute.id).where(Dispute.payment_id.in_(payments))).all() if payments else []

    def about(entity: str, ids: Any) -> Any:
        return and_(AuditEvent.entity == entity, AuditEvent.entity_id.in_([str(i) for i in ids]))

    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.group_id == invoice.group_id,
            or_(
                about("invoice", [invoice.id]),
                about("payment", payments),
                about("refund", refunds),
                about("dispute", disputes),
            ),
            AuditEvent.action.not_in(_TWINS),
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .limit(MAX_ENTRIES + 1)
    ).all()
    emails = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.group_id == invoice.group_id, OutboxMessage.invoice_id == invoice.id)
        .order_by(OutboxMessage.created_at)
        .limit(MAX_ENTRIES + 1)
    ).all()
    actors = _actor_names(session, invoice, events)
    entries = [_audit_entry(e, invoice, payments, actors) for e in events]
    entries += [_email_entry(m) for m in emails]
    entries.sort(key=lambda entry: entry.at)
    return entries[:MAX_ENTRIES], len(entries) > MAX_ENTRIES


def _actor_names(session: Session, invoice: Invoice, events: Any) -> dict[uuid.UUID, str]:
    """Who acted, by name: the invoice practice's staff and keys (and the platform's operators, whose
    logins belong to no practice)."""
    user_ids = {e.actor_user_id for e in events if e.actor_user_id}
    key_ids = {e.actor_api_key_id for e in events if e.actor_api_key_id}
    names: dict[uuid.UUID, str] = {}
    if user_ids:
        in_scope = or_(User.group_id == invoice.group_id, User.group_id.is_(None))
        users = select(User.id, User.email).where(User.id.in_(user_ids), in_scope)
        names.update(session.execute(users).tuples().all())
    if key_ids:
        keys_stmt = select(ApiKey.id, ApiKey.name).where(ApiKey.group_id == invoice.group_id, ApiKey.id.in_(key_ids))
        keys = session.execute(keys_stmt).tuples().all()
        names.update({key_id: f"API key {name}" for key_id, name in keys})
    return names


def _actor(event: AuditEvent, actors: dict[uuid.UUID, str]) -> str:
    if event.actor_kind == "client":
        return "Client"
    if event.actor_kind == "system":
        # The system's changes carry their source when they are Stripe's news (a webhook, a confirm's
        # answer, a reconciliation); the rest are clinicpay's own (e.g. a sweeper).
        return "Stripe" if (event.data or {}).get("source") else "clinicpay"
    for known in (event.actor_user_id, event.actor_api_key_id):
        if known and known in actors:
            return actors[known]
    return event.actor_kind.capitalize()


def _audit_entry(
    event: AuditEvent, invoice: Invoice, payments: dict[uuid.UUID, Payment], actors: dict[uuid.UUID, str]
) -> TimelineEntry:
    data = event.data or {}
    amount = data.get("amount_cents", data.get("total_cents"))
    return TimelineEntry(
        at=event.created_at,
        source="audit",
        action=event.action,
        summary=_summary(event, data, invoice, payments),
        actor=_actor(event, actors),
        amount_cents=amount if isinstance(amount, int) else None,
    )


def _summary(event: AuditEvent, data: dict[str, Any], invoice: Invoice, payments: dict[uuid.UUID, Payment]) -> str:
    def money(key: str = "amount_cents") -> str:
        value = data.get(key)
        return format_money(value, invoice.currency) if isinstance(value, int) else ""

    payment = payments.get(uuid.UUID(event.entity_id)) if event.entity == "payment" else None
    method = _METHODS.get(payment.method, "Other") if payment else ""
    action = event.action
    if action == "invoice.issued":
        return f"Invoice {data.get('number', invoice.number)} issued for {money('total_cents')}"
    if action == "invoice.voided":
        released = data.get("services_released")
        return "Invoice voided" + (f"; {released} service(s) back in the invoicing queue" if released else "")
    if action == "payment.recorded":
        received = _day(data.get("received_date"))
        reference = f", ref. {payment.reference}" if payment and payment.reference else ""
        return f"{method} payment of {money()} recorded" + (f" (received {received})" if received else "") + reference
    if action == "payment.reversed":
        return f"{method} payment of {money()} reversed: {data.get('reason', '')}".rstrip(": ")
    if action == "payment.started":
        return "The client opened a card payment"
    if action == "payment.canceled":
        return f"{method} payment canceled"
    if action == "payment.cancel_requested":
        return f"{method} payment: cancellation asked of Stripe"
    if action == "payment.mismatch":
        return "Stripe's payment does not match this invoice; see the staff alert"
    if action == "refund.requested":
        reason = _REFUND_REASONS.get(data.get("reason", ""), "")
        return f"Refund of {money()} requested" + (f" ({reason})" if reason else "")
    if action.startswith("refund."):
        return f"Refund of {money()} {action.split('.', 1)[1]}".replace("  ", " ")
    if action.startswith("dispute."):
        return f"Dispute: {action.split('.', 1)[1].replace('_', ' ')}"
    if action.startswith("payment.") and "to" in data:
        return f"{method} payment of {money()} {str(data['to']).replace('_', ' ')}"
    return action.replace(".", " ").replace("_", " ").capitalize()


def _day(iso: Any) -> str | None:
    """An ISO date as the emails write it ("April 2, 2026")."""
    try:
        return format_day(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return None


def _email_entry(message: OutboxMessage) -> TimelineEntry:
    what = _EMAILS.get(message.kind, message.kind.replace("_", " ").capitalize())
    state = _EMAIL_STATES.get(message.status, message.status)
    to = f" to {message.to_address}" if message.to_address else ""
    reason = _SKIP_REASONS.get(message.skip_reason or "", "nothing to send")
    why = f" ({reason})" if message.status == "skipped" else ""
    if message.kind == "reminder" and message.facts.get("due_words"):
        what = f"{what} (invoice {message.facts['due_words']})"
    return TimelineEntry(
        at=message.sent_at or message.failed_at or message.created_at,
        source="email",
        action=f"email.{message.kind}",
        summary=f"{what}{to} {state}{why}",
        actor="clinicpay",
    )
