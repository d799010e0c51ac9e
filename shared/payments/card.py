"""Apply a Stripe PaymentIntent's state to our card Payment — the one function for it.

Whoever brings the state (the server's own confirm call, a webhook, reconciliation)
calls `apply_payment_intent`; applying the same state twice changes nothing, and a
state never moves backwards, so snapshots arriving late or out of order are harmless.

A PaymentIntent whose amount or currency differs from the payment it names is not applied:
the payment keeps its amount, the mismatch is recorded on it (`stripe_mismatch`) and staff
get one alert per PaymentIntent and state. Only two things still follow from such a snapshot,
both on the payment's own PaymentIntent: a state that charged nothing (canceled, declined)
closes it as usual, and money Stripe took moves it to `mismatched` — settled, counted nowhere,
so it neither blocks the invoice nor pays it. The event that brought it is processed, not retried.

Money arriving beyond what the invoice still owed (a card payment landing after a cheque was
recorded, or on a void invoice) is kept on the payment as `overpayment_cents` and raises an
`overpayment` alert: refund the surplus.

Which card payments Stripe may still charge ("in flight") is decided here too (`in_flight`),
for everything that must not record money beside them: manual payments, voiding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.actor import SYSTEM
from shared.alerts.service import alert_on_invoice
from shared.audit.service import record
from shared.ledger.balances import ledger_totals, lock_invoice, recompute_invoice
from shared.ledger.currency import format_money
from shared.ledger.due import practice_today_of
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment
from shared.ledger.stripe_repository import StripeLedgerRepository
from shared.logging import get_logger
from shared.outbox.service import payment_changed
from shared.stripe_sync.shapes import PaymentIntentData

log = get_logger(__name__)

TERMINAL = frozenset({"succeeded", "failed", "canceled"})
_RANK = {"pending": 0, "requires_action": 1, "processing": 2, "succeeded": 3, "failed": 3, "canceled": 3}
# Our statuses of a PaymentIntent that took no money.
NOTHING_CHARGED = frozenset({"failed", "canceled"})

# In flight: a card payment Stripe may still charge. `requires_action` and `processing` ones were
# confirmed (CONFIRMED_IN_FLIGHT); a `pending` one with a PaymentIntent may have been confirmed with the
# answer lost. A pending one without a PaymentIntent is not: nothing at Stripe can charge it until our
# server creates one (PaymentRepository.card_payments_in_flight asks the same in SQL).
CONFIRMED_IN_FLIGHT = ("requires_action", "processing")
# Of those, the ones Stripe lets us cancel (PaymentIntent statuses requires_payment_method,
# requires_confirmation, requires_action). A `processing` one is waited for: Stripe cancels that only
# "in rare cases" (some asynchronous methods), never a card's.
CANCELABLE_STATUSES = ("pending", "requires_action")


def in_flight(payment: Payment) -> bool:
    return payment.method == "card" and (
        payment.status in CONFIRMED_IN_FLIGHT
        or (payment.status == "pending" and payment.stripe_payment_intent_id is not None)
    )


def cancelable_at_stripe(payment: Payment) -> bool:
    return in_flight(payment) and payment.status in CANCELABLE_STATUSES


@dataclass(frozen=True)
class ApplyResult:
    outcome: str  # "applied" | "unchanged" | "unmatched" | "mismatched" (recorded, not applied)
    payment_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    status: str | None = None  # our payment status after applying


def our_status(payment_intent: PaymentIntentData) -> str | None:
    """Stripe's PaymentIntent status in our words; None for a status we do not know."""
    status = payment_intent.get("status")
    if status == "requires_payment_method":
        return "failed" if payment_intent.get("last_payment_error") else "pending"
    if status == "requires_confirmation":
        return "pending"
    if status == "requires_capture":
        return "processing"  # authorised, not yet captured: money is on its way
    if status in ("requires_action", "processing", "succeeded", "canceled"):
        return str(status)
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
    return (current == "failed" and new in ("requires_action", "processing")) or (
        new == "failed" and current in ("requires_action", "processing")
    )


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("id")
    return None


def owning_payment_id(session: Session, group_id: uuid.UUID, existing: Any, payment_intent: Any) -> uuid.UUID | None:
    """The payment a refund or dispute belongs to: the one we already filed it under (`existing`,
    our row for it or None), else the card payment its PaymentIntent names. None when it is another
    group's, or names no payment of ours."""
    if existing is not None:
        return existing.payment_id if existing.group_id == group_id else None
    payment = find_card_payment(session, group_id, payment_intent) if payment_intent else None
    return payment.id if payment is not None else None


def find_card_payment(session: Session, group_id: uuid.UUID, payment_intent: Any) -> Payment | None:
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
        log.warning("payment_has_another_intent", payment_id=str(payment.id), payment_intent=pi_id)
        return None
    return payment


def _stripe_amount(payment_intent: PaymentIntentData, new_status: str) -> int | None:
    key = "amount_received" if new_status == "succeeded" else "amount"
    value = payment_intent.get(key)
    if new_status == "succeeded" and not value:
        value = payment_intent.get("amount")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def bank_debit_failed(session: Session, payment: Payment, invoice: Invoice) -> None:
    """A payment that was `processing` failed (an ACH debit returned by the client's bank, days after the
    client paid). The ledger already took it back out of pending and the invoice is open again; the
    reason is on the payment (`failure_code`, `failure_message`) for the staff invoice page and the
    portal, and staff get an alert (once per payment, however often the event is delivered)."""
    log.warning(
        "bank_debit_failed",
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(payment.group_id),
        failure_code=payment.failure_code,
        amount_cents=payment.amount_cents,
    )
    reason = f" The bank said: {payment.failure_message}" if payment.failure_message else ""
    alert_on_invoice(
        session,
        invoice,
        kind="ach_payment_failed",
        cause=payment.id,
        payment_id=payment.id,
        message=(
            f"A bank debit of {format_money(payment.amount_cents, payment.currency)} for invoice "
            f"{invoice.number} failed after it was on its way; the invoice is open again.{reason}"
        ),
        data={
            "amount_cents": payment.amount_cents,
            "currency": payment.currency,
            "failure_code": payment.failure_code,
            "payment_intent": payment.stripe_payment_intent_id,
        },
    )


def apply_payment_intent(
    session: Session,
    group_id: uuid.UUID,
    payment_intent: PaymentIntentData,
    *,
    source: str,
    found: Payment | None = None,
) -> ApplyResult:
    """Apply a PaymentIntent snapshot to our payment. Never commits.

    `found`: our payment for this PaymentIntent when the caller already looked it up with
    `find_card_payment` (a query saved; it is re-read under the invoice lock either way)."""
    new_status = our_status(payment_intent)
    found = found or find_card_payment(session, group_id, payment_intent)
    if found is None:
        return ApplyResult("unmatched")
    if new_status is None:
        log.warning(
            "payment_intent_status_unknown", payment_id=str(found.id), stripe_status=payment_intent.get("status")
        )
        return ApplyResult("unchanged", found.id, found.invoice_id, found.status)

    # Lock the invoice first, then re-read the payment: concurrent appliers serialize here.
    invoice = lock_invoice(session, found.invoice_id, group_id)
    repo = StripeLedgerRepository.from_session(session)
    payment = repo.reload_payment(found)
    pi_id = payment_intent.get("id")
    if not may_move(payment.status, new_status):
        return ApplyResult("unchanged", payment.id, payment.invoice_id, payment.status)

    mismatch = _mismatch(payment, payment_intent, new_status)
    linked = pi_id is not None and payment.stripe_payment_intent_id == pi_id
    if mismatch is not None and not (linked and new_status in NOTHING_CHARGED):
        return _hold_mismatch(session, group_id, invoice, payment, mismatch, new_status, linked, source)

    old_status = payment.status
    owed = 0
    if new_status == "succeeded":
        # What the invoice still owed before this payment counts; the rest is an overpayment to hand back.
        # Read before touching the payment, so its changes reach the database in one UPDATE (autoflush).
        totals = ledger_totals(session, invoice)
        owed = 0 if invoice.voided_at is not None else max(invoice.total_cents - totals.paid_cents, 0)
    if pi_id and payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = pi_id
    payment_method = _id_of(payment_intent.get("payment_method"))
    if payment_method:
        payment.stripe_payment_method_id = payment_method

    if new_status == "failed":
        error = payment_intent.get("last_payment_error") or {}
        error = error if isinstance(error, dict) else {}
        bank_debit = payment.stripe_payment_method_type == "us_bank_account"
        payment.failure_message = error.get("message") or (
            "The bank did not accept the debit." if bank_debit else "The card was declined."
        )
        payment.failure_code = error.get("decline_code") or error.get("code")
    elif new_status == "succeeded":
        payment.failure_message = None
        payment.failure_code = None
        payment.overpayment_cents = max(payment.amount_cents - owed, 0)
        # The day the money was collected, on the practice's calendar (a bank debit succeeds days after
        # it started): what "collected per month" counts, as a cheque counts its received date.
        if payment.received_date is None:
            payment.received_date = practice_today_of(session, group_id)

    payment.status = new_status
    recompute_invoice(session, invoice)
    record(
        session,
        SYSTEM,
        f"payment.{new_status}",
        "payment",
        payment.id,
        group_id=group_id,
        data={
            "source": source,
            "from": old_status,
            "to": new_status,
            "payment_intent": pi_id,
            "amount_cents": payment.amount_cents,
            "overpayment_cents": payment.overpayment_cents,
        },
    )
    payment_changed(session, invoice, payment)  # the client's receipt, or word that it failed
    if new_status == "failed" and old_status == "processing":
        # Money that was on its way did not arrive (an ACH debit bounces days later): the invoice is open
        # again, the reason is on the payment, and staff must hear of it.
        bank_debit_failed(session, payment, invoice)
    if new_status == "succeeded" and payment.overpayment_cents > 0:
        _alert_overpayment(session, group_id, invoice, payment, owed)
    log.info(
        "payment_intent_applied",
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(group_id),
        status=new_status,
        previous=old_status,
        source=source,
    )
    return ApplyResult("applied", payment.id, payment.invoice_id, payment.status)


def _alert_overpayment(session: Session, group_id: uuid.UUID, invoice: Invoice, payment: Payment, owed: int) -> None:
    currency = payment.currency
    surplus = payment.overpayment_cents
    if invoice.voided_at is not None:
        why = f"arrived on invoice {invoice.number}, which is void"
    elif owed == 0:
        why = f"arrived on invoice {invoice.number} after it was already paid"
    else:
        why = f"arrived on invoice {invoice.number} when only {format_money(owed, currency)} was still owed"
    alert_on_invoice(
        session,
        invoice,
        kind="overpayment",
        cause=payment.id,
        payment_id=payment.id,
        message=(
            f"A card payment of {format_money(payment.amount_cents, currency)} {why}. "
            f"Refund the surplus of {format_money(surplus, currency)} to the client."
        ),
        data={
            "amount_cents": surplus,
            "currency": currency,
            "payment_amount_cents": payment.amount_cents,
            "payment_intent": payment.stripe_payment_intent_id,
        },
    )


# --- A PaymentIntent that does not match the payment it names ---


@dataclass(frozen=True)
class Mismatch:
    payment_intent: str | None
    stripe_status: str | None
    amount_cents: int | None  # what Stripe says was (or is to be) charged; None when it did not say
    currency: str | None

    def as_record(self) -> dict[str, Any]:
        return {
            "payment_intent": self.payment_intent,
            "stripe_status": self.stripe_status,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
        }

    def money(self) -> str:
        if self.amount_cents is None:
            return "an unknown amount" + (f" of {self.currency}" if self.currency else "")
        return format_money(self.amount_cents, self.currency) if self.currency else f"{self.amount_cents} (no currency)"


def _mismatch(payment: Payment, payment_intent: PaymentIntentData, new_status: str) -> Mismatch | None:
    """What Stripe says differs from our payment, or None when amount and currency agree. For money
    received, the amount that counts is `amount_received` (a partial capture takes less than `amount`)."""
    amount = _stripe_amount(payment_intent, new_status)
    currency = payment_intent.get("currency")
    currency = currency.upper() if isinstance(currency, str) and currency else None
    if amount == payment.amount_cents and currency == payment.currency.upper():
        return None
    status = payment_intent.get("status")
    return Mismatch(payment_intent.get("id"), status if isinstance(status, str) else None, amount, currency)


def _hold_mismatch(
    session: Session,
    group_id: uuid.UUID,
    invoice: Invoice,
    payment: Payment,
    mismatch: Mismatch,
    new_status: str,
    linked: bool,
    source: str,
) -> ApplyResult:
    """Record, alert once, apply nothing — except that money taken on the payment's own PaymentIntent
    settles it as `mismatched` (nothing more can move it, and nothing of it counts)."""
    payment.stripe_mismatch = mismatch.as_record()
    charged = linked and new_status == "succeeded"
    previous = payment.status
    if charged:
        payment.status = "mismatched"
    recompute_invoice(session, invoice)
    ours = format_money(payment.amount_cents, payment.currency)
    if charged:
        message = (
            f"Stripe took {mismatch.money()} on the card payment of {ours} for invoice {invoice.number} "
            f"(PaymentIntent {mismatch.payment_intent}). It was not applied to the invoice: check the payment "
            "in Stripe and refund it."
        )
    else:
        message = (
            f"Stripe reports PaymentIntent {mismatch.payment_intent} ({mismatch.stripe_status}) for "
            f"{mismatch.money()} against the card payment of {ours} for invoice {invoice.number}. It was not "
            "applied. If nothing should be charged on it, cancel it in Stripe."
        )
    alert_id = alert_on_invoice(
        session,
        invoice,
        kind="payment_intent_mismatch",
        cause=f"{mismatch.payment_intent}:{new_status}",
        payment_id=payment.id,
        message=message,
        data={
            **mismatch.as_record(),
            "payment_amount_cents": payment.amount_cents,
            "payment_currency": payment.currency,
            "charged": charged,
        },
    )
    if alert_id is not None or payment.status != previous:
        record(
            session,
            SYSTEM,
            "payment.mismatch",
            "payment",
            payment.id,
            group_id=group_id,
            data={"source": source, "from": previous, "to": payment.status, **mismatch.as_record()},
        )
    log.warning(
        "payment_intent_mismatch",
        payment_id=str(payment.id),
        invoice_id=str(invoice.id),
        group_id=str(group_id),
        payment_intent=mismatch.payment_intent,
        stripe_status=mismatch.stripe_status,
        stripe_amount=mismatch.amount_cents,
        stripe_currency=mismatch.currency,
        ours=payment.amount_cents,
        our_currency=payment.currency,
        source=source,
    )
    return ApplyResult("mismatched", payment.id, payment.invoice_id, payment.status)
