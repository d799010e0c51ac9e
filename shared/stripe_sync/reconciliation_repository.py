"""Queries of reconciliation jobs and of the sync health page, scoped to one group."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from shared.db.repository import PracticeRepository, Whose, practice_of
from shared.groups.models import Group
from shared.ledger.payments import Payment
from shared.stripe_sync.models import Reconciliation, StripeEvent
from shared.stripe_sync.schemas import EventCountsOut

UNFINISHED = ("queued", "running")
# Card payments whose PaymentIntent may still move at Stripe.
UNSETTLED_CARD_STATUSES = ("pending", "requires_action", "processing")
# Card payments no PaymentIntent state can move any more (see shared.payments.card.may_move).
SETTLED_CARD_STATUSES = ("succeeded", "canceled", "mismatched")


class ReconciliationRepository(PracticeRepository[Reconciliation]):
    model = Reconciliation
    noun = "reconciliation"
    param = "reconciliation_id"

    def unfinished_for_group(self, whose: Whose) -> Reconciliation | None:
        group_id = practice_of(whose)
        return self.session.scalar(
            select(Reconciliation)
            .where(Reconciliation.group_id == group_id, Reconciliation.status.in_(UNFINISHED))
            .order_by(Reconciliation.created_at)
            .limit(1)
        )

    def latest(self, whose: Whose) -> Reconciliation | None:
        group_id = practice_of(whose)
        return self.session.scalar(
            select(Reconciliation)
            .where(Reconciliation.group_id == group_id)
            .order_by(Reconciliation.created_at.desc(), Reconciliation.id.desc())
            .limit(1)
        )

    def last_watermark(self, whose: Whose) -> int | None:
        """Where the last successful run stopped reading; failed runs do not move it."""
        group_id = practice_of(whose)
        return self.session.scalar(
            select(func.max(Reconciliation.watermark_to)).where(
                Reconciliation.group_id == group_id, Reconciliation.status == "succeeded"
            )
        )

    def connected_group_ids(self) -> list[uuid.UUID]:
        return list(self.session.scalars(select(Group.id).where(Group.stripe_secret_key_encrypted.is_not(None))))

    def payments_to_check(self, whose: Whose, changed_since: datetime, limit: int) -> list[tuple[uuid.UUID, str]]:
        """(payment id, PaymentIntent id) of card payments Stripe may know more about: every unsettled one,
        and every failed one touched since the window opened (a declined PaymentIntent may still succeed
        with another card). A settled one (succeeded, canceled) cannot move any more, so is not asked about."""
        group_id = practice_of(whose)
        rows = self.session.execute(
            select(Payment.id, Payment.stripe_payment_intent_id)
            .where(
                Payment.group_id == group_id,
                Payment.method == "card",
                Payment.stripe_payment_intent_id.is_not(None),
                or_(
                    Payment.status.in_(UNSETTLED_CARD_STATUSES),
                    and_(Payment.status == "failed", Payment.updated_at >= changed_since),
                ),
            )
            .order_by(Payment.created_at)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows if row[1] is not None]  # never None: the filter says so

    def settled_payment_intents(self, whose: Whose, payment_intent_ids: Iterable[str]) -> set[str]:
        """Those of the PaymentIntents whose card payment in this group is settled (nothing can move it)."""
        group_id = practice_of(whose)
        ids = list(payment_intent_ids)
        return set(
            self.session.scalars(
                select(Payment.stripe_payment_intent_id).where(
                    Payment.group_id == group_id,
                    Payment.method == "card",
                    Payment.status.in_(SETTLED_CARD_STATUSES),
                    Payment.stripe_payment_intent_id == any_(bindparam("pi_ids", ids, type_=ARRAY(String))),
                )
            )
        )

    def last_webhook_api_version(self, whose: Whose) -> str | None:
        """The api_version of the latest event the practice's endpoint delivered (not one caught up)."""
        group_id = practice_of(whose)
        return self.session.scalar(
            select(StripeEvent.payload["api_version"].astext)
            .where(StripeEvent.group_id == group_id, StripeEvent.source == "webhook")
            .order_by(StripeEvent.received_at.desc())
            .limit(1)
        )

    def event_counts(self, whose: Whose) -> EventCountsOut:
        group_id = practice_of(whose)
        unapplied = StripeEvent.processed_at.is_(None)
        # Each column labelled by the answer's field it fills.
        row = self.session.execute(
            select(
                func.count().label("received"),
                func.count().filter(StripeEvent.outcome == "applied").label("applied"),
                func.count().filter(StripeEvent.outcome.in_(("ignored", "unmatched", "mismatched"))).label("ignored"),
                func.count().filter(unapplied, StripeEvent.last_error.is_not(None)).label("failing"),
                func.count().filter(unapplied).label("unapplied"),
                func.min(StripeEvent.received_at).filter(unapplied).label("oldest_unapplied_received_at"),
            ).where(StripeEvent.group_id == group_id)
        ).one()
        return EventCountsOut.model_validate(row._asdict())
