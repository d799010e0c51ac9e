"""How well a practice's books follow Stripe: its last reconciliation and its webhook inbox."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.groups.repository import GroupRepository
from shared.stripe_sync.reconciliation_repository import ReconciliationRepository
from shared.stripe_sync.schemas import EventCountsOut, LastReconciliationOut, StripeHealthOut


def stripe_health(session: Session, group_id: uuid.UUID) -> StripeHealthOut:
    group = GroupRepository.from_session(session).get(group_id)
    repo = ReconciliationRepository.from_session(session)
    latest = repo.latest(group_id)
    counts = repo.event_counts(group_id)
    last = None
    if latest is not None:
        last = LastReconciliationOut(id=latest.id, status=latest.status, started_at=latest.started_at,
                                     finished_at=latest.finished_at, fixed_count=len(latest.fixed or []),
                                     unmatched_count=len(latest.unmatched or []),
                                     error_count=len(latest.errors or []))
    return StripeHealthOut(
        connected=group.stripe_connected,
        last_reconciliation=last,
        events=EventCountsOut(received=counts.received, applied=counts.applied, ignored=counts.ignored,
                              failing=counts.failing, unapplied=counts.unapplied,
                              oldest_unapplied_received_at=counts.oldest_unapplied_received_at),
    )
