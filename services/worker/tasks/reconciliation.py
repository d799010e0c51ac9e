"""Reconciliation with Stripe: one run per group, the beat that schedules them, the sweeper."""

from __future__ import annotations

import uuid

from shared.jobs import reconciliation
from shared.logging import get_logger
from shared.stripe_sync.gateway import StripeUnavailable
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import NO_RETRY, RECONCILIATION

log = get_logger(__name__)


@clinicpay_task(names.RECONCILE_GROUP, policy=RECONCILIATION)
def reconcile_group(self, reconciliation_id: str) -> str:
    rec_id = uuid.UUID(reconciliation_id)
    # The task id is the lease owner: a retry of this message keeps it and takes its lease back.
    owner = self.request.id or f"local-{uuid.uuid4()}"
    try:
        return reconciliation.reconcile(rec_id, owner)
    except StripeUnavailable as exc:
        if RECONCILIATION.exhausted(self.request.retries):
            reconciliation.give_up(rec_id, exc)
            return "failed"
        countdown = RECONCILIATION.delay(self.request.retries)  # 2, 4, 8, 16, 32 s, with jitter
        reconciliation.hold_lease_until_retry(rec_id, owner, countdown)
        reconciliation.note_retry(rec_id, self.request.retries + 1, countdown)
        log.warning(
            "reconciliation_retrying",
            reconciliation_id=reconciliation_id,
            countdown=round(countdown, 1),
            retries=self.request.retries,
        )
        raise self.retry(exc=exc, countdown=countdown) from None
    except Exception as exc:
        log.exception("reconciliation_crashed", reconciliation_id=reconciliation_id)
        reconciliation.give_up(rec_id, exc)
        return "failed"


@clinicpay_task(names.SCHEDULE_RECONCILIATIONS, policy=NO_RETRY, acks_late=False)
def schedule_all(self) -> int:
    return reconciliation.schedule_all()


@clinicpay_task(names.SWEEP_RECONCILIATIONS, policy=NO_RETRY, acks_late=False)
def sweep_stale(self) -> int:
    return reconciliation.sweep_stale()
