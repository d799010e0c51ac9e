"""Apply one stored Stripe event to the ledger, by its type.

Each handler gets the event as Stripe sent it (a dict, no SDK objects) and returns the
inbox outcome: "applied" (the ledger changed), "ignored" (nothing to do: a type we do
not act on, or a state we already hold), "unmatched" (it names no payment of this
group — on a shared Stripe account every practice's endpoint sees every event),
"mismatched" (a PaymentIntent whose amount or currency differs from the payment it names:
recorded and alerted, not applied — and not retried either).
Handlers never commit; the inbox commits the effect together with `processed_at`.

An event rendered at another API version than ours (an endpoint made in the Dashboard on the
account's default version) is applied from its object as Stripe returns it now, at our version,
read again through the gateway: its payload's shape is not the one our handlers read. An event at
our version is applied from its payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast

import stripe
from sqlalchemy.orm import Session

from shared.errors import Conflict
from shared.groups.repository import GroupRepository
from shared.ledger.stripe_repository import StripeLedgerRepository
from shared.logging import get_logger
from shared.payments.card import apply_payment_intent, find_card_payment, order_is_ambiguous, our_status
from shared.payments.disputes import FUNDS_REINSTATED, FUNDS_WITHDRAWN, DisputeSnapshot, apply_dispute
from shared.payments.refunds import MalformedObject, RefundSnapshot, apply_refund
from shared.stripe_sync.gateway import StripeGateway
from shared.stripe_sync.shapes import PaymentIntentData

log = get_logger(__name__)

APPLIED, IGNORED, UNMATCHED, MISMATCHED = "applied", "ignored", "unmatched", "mismatched"
_FROM_APPLY = {"applied": APPLIED, "unchanged": IGNORED, "unmatched": UNMATCHED, "mismatched": MISMATCHED}

Handler = Callable[[Session, uuid.UUID, dict[str, Any], dict[str, Any], str], str]


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


def _payment_intent(
    session: Session, group_id: uuid.UUID, event: dict[str, Any], obj: dict[str, Any], source: str
) -> str:
    # A payment_intent.* event's object is a PaymentIntent, read through our schema of one (no parsing:
    # this runs for every event; shared/stripe_sync/shapes.py says why).
    pi = cast(PaymentIntentData, obj)
    payment = find_card_payment(session, group_id, pi)
    new_status = our_status(pi)
    if payment is not None and new_status and order_is_ambiguous(payment.status, new_status):
        pi = _current_payment_intent(session, group_id, pi)
    return _FROM_APPLY[apply_payment_intent(session, group_id, pi, source=source, found=payment).outcome]


def _current_payment_intent(session: Session, group_id: uuid.UUID, snapshot: PaymentIntentData) -> PaymentIntentData:
    """The PaymentIntent as Stripe has it now, for a snapshot whose order we cannot tell; the
    snapshot itself when Stripe cannot be asked (no connection, unknown PI). Stripe being
    unreachable raises StripeUnavailable: the event is retried, not applied on a guess."""
    try:
        fresh = StripeGateway.for_group(GroupRepository.from_session(session).get(group_id)).retrieve_payment_intent(
            snapshot["id"]
        )
    except Conflict:
        return snapshot
    except stripe.InvalidRequestError as exc:
        log.warning("payment_intent_refetch_failed", payment_intent=snapshot.get("id"), error=exc.code)
        return snapshot
    log.info(
        "payment_intent_refetched",
        payment_intent=snapshot.get("id"),
        snapshot_status=snapshot.get("status"),
        current_status=fresh.get("status"),
    )
    return fresh


def _refunds_of(charge: dict[str, Any]) -> list[Any] | None:
    refunds = charge.get("refunds")
    items = refunds.get("data") if isinstance(refunds, dict) else None
    return items if isinstance(items, list) and items else None


def _charge_refunded(
    session: Session, group_id: uuid.UUID, event: dict[str, Any], charge: dict[str, Any], source: str
) -> str:
    items = _refunds_of(charge)
    if items is None and "refunds" not in charge:
        # Our version embeds no refunds list (only when expanded): read the charge with them, so a
        # charge.refunded is enough to recover a refund whose refund.* events were lost.
        items = _refunds_of(_current_object(session, group_id, event, charge))
    if items is None:
        # Stripe cannot be asked (or lists none): refund.created / refund.updated carry each one.
        return IGNORED
    snapshots = [
        RefundSnapshot.from_stripe(item, charge.get("payment_intent")) for item in items if isinstance(item, dict)
    ]
    return _combine([_FROM_APPLY[apply_refund(session, group_id, s, source=source)] for s in snapshots])


def _refund(session: Session, group_id: uuid.UUID, event: dict[str, Any], refund: dict[str, Any], source: str) -> str:
    charge = refund.get("charge")
    fallback = charge.get("payment_intent") if isinstance(charge, dict) else None
    snapshot = RefundSnapshot.from_stripe(refund, fallback)
    return _FROM_APPLY[apply_refund(session, group_id, snapshot, source=source)]


def _dispute(funds: str | None) -> Handler:
    def handle(
        session: Session, group_id: uuid.UUID, event: dict[str, Any], dispute: dict[str, Any], source: str
    ) -> str:
        created = event.get("created")
        snapshot = DisputeSnapshot.from_stripe(dispute, created if isinstance(created, int) else 0)
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


def preload(session: Session, rows: list[tuple[uuid.UUID, dict[str, Any]]]) -> None:
    """Before a batch of (group id, event) is applied in one transaction: lock the invoices and read
    the payments its PaymentIntent events name, in two statements (see `StripeLedgerRepository.preload`)."""
    pairs = {
        (group_id, obj["id"])
        for group_id, event in rows
        if HANDLERS.get(event.get("type", "")) is _payment_intent
        and isinstance(obj := (event.get("data") or {}).get("object"), dict)
        and isinstance(obj.get("id"), str)
    }
    StripeLedgerRepository.from_session(session).preload(sorted(pairs))


def is_other_version(event: dict[str, Any]) -> bool:
    version = event.get("api_version")
    return isinstance(version, str) and version != stripe.api_version


def _current_object(
    session: Session, group_id: uuid.UUID, event: dict[str, Any], obj: dict[str, Any]
) -> dict[str, Any]:
    """The event's object as Stripe has it now, at our API version. The payload itself when Stripe
    cannot be asked (no connection) or no longer knows the object; Stripe unreachable raises
    StripeUnavailable, so the event is retried, not applied from a shape we do not read."""
    object_type, object_id = obj.get("object"), obj.get("id")
    if not isinstance(object_type, str) or not isinstance(object_id, str):
        return obj
    try:
        gateway = StripeGateway.for_group(GroupRepository.from_session(session).get(group_id))
        fresh = gateway.retrieve_current(object_type, object_id)
    except Conflict:
        return obj
    except stripe.InvalidRequestError as exc:
        log.warning("event_object_refetch_failed", object_type=object_type, object_id=object_id, error=exc.code)
        return obj
    if fresh is None:
        return obj  # a type we do not read again (none of our handlers' objects)
    log.info(
        "event_object_refetched",
        stripe_event_id=event.get("id"),
        event_api_version=event.get("api_version"),
        object_type=object_type,
        object_id=object_id,
    )
    return fresh


def apply_event(session: Session, group_id: uuid.UUID, event: dict[str, Any], *, source: str) -> str:
    handler = HANDLERS.get(event.get("type", ""))
    if handler is None:
        return IGNORED
    obj = _object(event)
    if is_other_version(event):
        obj = _current_object(session, group_id, event, obj)
    return handler(session, group_id, event, obj, source)
