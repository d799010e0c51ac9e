"""Refunds staff asked for that Stripe never answered (unreachable then, or the request died): sent again."""

from __future__ import annotations

from datetime import datetime

from shared.jobs import transaction
from shared.logging import get_logger
from shared.payments.staff_refunds import send_refund, unsent_refunds
from shared.stripe_sync.gateway import StripeUnavailable

log = get_logger(__name__)


def resend_unsent(now: datetime | None = None) -> int:
    """The sweeper's work: each unsent refund in its own transaction, with the idempotency key it was
    first sent with (Stripe answers the refund it already made, if it made one). One that Stripe still
    cannot take waits for the next sweep. Returns how many Stripe answered."""
    with transaction() as session:
        pending = unsent_refunds(session, now)
    sent = 0
    for group_id, refund_id in pending:
        try:
            with transaction() as session:
                result = send_refund(session, group_id, refund_id, source="refund_sweeper")
        except StripeUnavailable:
            log.info("refund_send_postponed", refund_id=str(refund_id), group_id=str(group_id))
            continue
        sent += result.outcome == "sent"
    return sent
