"""Asking for a reconciliation: one queued run per practice at a time (the run itself: shared/jobs/reconciliation.py)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.errors import Conflict
from shared.groups.repository import GroupRepository
from shared.stripe_sync.models import Reconciliation
from shared.stripe_sync.reconciliation_repository import ReconciliationRepository
from shared.tasks import names
from shared.tasks.enqueue import enqueue_after_commit


def request_reconciliation(session: Session, actor: Actor, *, trigger: str) -> tuple[Reconciliation, bool]:
    """A queued run for the actor's group, or the one already queued or running. Returns (run, created)."""
    group = GroupRepository.from_session(session).get_for_update(actor)  # one request at a time
    if not group.stripe_connected:
        raise Conflict("Connect Stripe before reconciling.", code="stripe_not_connected")
    repo = ReconciliationRepository.from_session(session)
    existing = repo.unfinished_for_group(group.id)
    if existing is not None:
        return existing, False
    rec = Reconciliation(
        id=uuid.uuid4(),
        group_id=group.id,
        status="queued",
        trigger=trigger,
        fixed=[],
        unmatched=[],
        errors=[],
        attempts=0,
        requested_by_user_id=actor.user_id,
    )
    session.add(rec)
    session.flush()
    record(
        session,
        actor,
        "reconciliation.requested",
        "reconciliation",
        rec.id,
        group_id=group.id,
        data={"trigger": trigger},
    )
    enqueue_after_commit(names.RECONCILE_GROUP, str(rec.id))
    return rec, True
