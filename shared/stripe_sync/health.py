"""How well a practice's books follow Stripe: its last reconciliation and its webhook inbox."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.groups.repository import GroupRepository
from shared.stripe_sync.api_version import pinned_api_version
from shared.stripe_sync.reconciliation_repository import ReconciliationRepository
from shared.stripe_sync.schemas import LastReconciliationOut, StripeHealthOut


def stripe_health(session: Session, group_id: uuid.UUID) -> StripeHealthOut:
    group = GroupRepository.from_session(session).get(group_id)
    repo = ReconciliationRepository.from_session(session)
    latest = repo.latest(group_id)
    counts = repo.event_counts(group_id)
    last = None
    if latest is not None:
        last = LastReconciliationOut(
            id=latest.id,
            status=latest.status,
            started_at=latest.started_at,
            finished_at=latest.finished_at,
            fixed_count=len(latest.fixed or []),
            unmatched_count=len(latest.unmatched or []),
            error_count=len(latest.errors or []),
        )
    ours, theirs = pinned_api_version(), repo.last_webhook_api_version(group_id)
    note = None
    if theirs is not None and theirs != ours:
        note = (
            f"Your endpoint sends version {theirs}; clinicpay is written against {ours}, so it reads each "
            "event's object again from Stripe before applying it."
        )
    return StripeHealthOut(
        connected=group.stripe_connected,
        api_version=ours,
        endpoint_api_version=theirs,
        endpoint_api_version_note=note,
        last_reconciliation=last,
        events=counts,
    )
