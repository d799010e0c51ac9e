"""Apply one stored Stripe event to the ledger, by its type.

Each handler gets the event as Stripe sent it (a dict, no SDK objects) and returns the
inbox outcome: "applied" (the ledger changed), "ignored" (nothing to do: a type we do
not act on, or a state we already hold), "unmatched" (it names no payment of this
group — on a shared Stripe account every practice's endpoint sees every event).
Handlers never commit; the inbox commits the effect together with `processed_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import stripe

from shared.errors import Conflict
from shared.groups.repository import GroupRepository
from shared.logging import get_logger
from shared.payments.card import apply_payment_intent, find_card_payment, order_is_ambiguous, our_status
from shared.payments.disputes import FUNDS_REINSTATED, FUNDS_WITHDRAWN, DisputeSnapshot, apply_dispute
from shared.payments.refunds import MalformedObject, RefundSnapshot, apply_refund
from shared.payments.stripe_repository import StripeLedgerRepository
from shared.stripe_sync.gateway import StripeGateway

log = get_logger(__name__)

APPLIED, IGNORED, UNMATCHED = "applied", "ignored", "unmatched"
_FROM_APPLY = {"applied": APPLIED, "unchanged": IGNORED, "unmatched": UNMATCHED}

Handler = Callable[[Any, uuid.UUID, dict[str, Any], dict[str, Any], str], str]


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedObject("The event carries no object.", code="malformed_event")
    return obj


def _combine(outcomes: list[str]) -> str:
    if APPLIED in outcomes:
        return APPLIED
    if IGNORED in outcomes:
        return IGNORED
    return UNMATCHED


def _payment_intent(session, group_id, event, obj, source) -> str:  # noqa: ANN001
    payment = find_card_payment(session, group_id, obj)
    new_status = our_status(obj)
    if payment is not None and new_status and order_is_ambiguous(payment.status, new_status):
        obj = _current_payment_intent(session, group_id, obj)
    return _FROM_APPLY[apply_payment_intent(session, group_id, obj, source=source, found=payment).outcome]


def _current_payment_intent(session, group_id, snapshot: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    """The PaymentIntent as Stripe has it now, for a snapshot whose order we cannot tell; the
    snapshot itself when Stripe cannot be asked (no connection, unknown PI). Stripe being
    unreachable raises StripeUnavailable: the event is retried, not applied on a guess."""
    try:
        fresh = StripeGateway.for_group(GroupRepository.from_session(session).get(group_id)) \
            .retrieve_payment_intent(snapshot["id"])
    except Conflict:
        return snapshot
    except stripe.InvalidRequestError as exc:
        log.warning("payment_intent_refetch_failed", payment_intent=snapshot.get("id"), error=exc.code)
        return snapshot
    log.info("payment_intent_refetched", payment_intent=snapshot.get("id"), snapshot_status=snapshot.get("status"),
             current_status=fresh.get("status"))
    return fresh


def _charge_refunded(session, group_id, event, charge, source) -> str:  # noqa: ANN001
    refunds = charge.get("refunds")
    items = refunds.get("data") if isinstance(refunds, dict) else None
    if not isinstance(items, list) or not items:
        # Newer API versions no longer embed the refunds list; refund.created / refund.updated carry each one.
        return IGNORED
    snapshots = [RefundSnapshot.from_stripe(item, charge.get("payment_intent")) for item in items
                 if isinstance(item, dict)]
    return _combine([_FROM_APPLY[apply_refund(session, group_id, s, source=source)] for s in snapshots])


def _refund(session, group_id, event, refund, source) -> str:  # noqa: ANN001
    charge = refund.get("charge")
    fallback = charge.get("payment_intent") if isinstance(charge, dict) else None
    snapshot = RefundSnapshot.from_stripe(refund, fallback)
    return _FROM_APPLY[apply_refund(session, group_id, snapshot, source=source)]


def _dispute(funds: str | None) -> Handler:
    def handle(session, group_id, event, dispute, source) -> str:  # noqa: ANN001
        created = event.get("created") if isinstance(event.get("created"), int) else 0
        snapshot = DisputeSnapshot.from_stripe(dispute, created)
        return _FROM_APPLY[apply_dispute(session, group_id, snapshot, funds=funds, source=source)]
    return handle


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "payment_intent.processing": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "payment_intent.requires_action": _payment_intent,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund,
    "refund.created": _refund,
    "refund.updated": _refund,
    "refund.failed": _refund,
    "charge.dispute.created": _dispute(None),
    "charge.dispute.updated": _dispute(None),
    "charge.dispute.closed": _dispute(None),
    "charge.dispute.funds_withdrawn": _dispute(FUNDS_WITHDRAWN),
    "charge.dispute.funds_reinstated": _dispute(FUNDS_REINSTATED),
}


def preload(session, rows: list[tuple[uuid.UUID, dict[str, Any]]]) -> None:  # noqa: ANN001
    """Before a batch of (group id, event) is applied in one transaction: lock the invoices and read
    the payments its PaymentIntent events name, in two statements (see `StripeLedgerRepository.preload`)."""
    pairs = {(group_id, obj["id"]) for group_id, event in rows
             if HANDLERS.get(event.get("type", "")) is _payment_intent
             and isinstance(obj := (event.get("data") or {}).get("object"), dict) and isinstance(obj.get("id"), str)}
    StripeLedgerRepository.from_session(session).preload(sorted(pairs))


def apply_event(session, group_id: uuid.UUID, event: dict[str, Any], *, source: str) -> str:  # noqa: ANN001
    handler = HANDLERS.get(event.get("type", ""))
    if handler is None:
        return IGNORED
    return handler(session, group_id, event, _object(event), source)
