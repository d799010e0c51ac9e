"""Reconciliation with Stripe: one run per group, the beat that schedules them, the sweeper."""

from __future__ import annotations

import random
import uuid

from shared.logging import get_logger
from shared.stripe_sync import reconciliation
from shared.stripe_sync.gateway import StripeUnavailable
from shared.stripe_sync.reconciliation_lease import hold_lease_until_retry
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task

log = get_logger(__name__)

MAX_RETRIES = 5


def _backoff(retries: int) -> float:
    # 2, 4, 8, 16, 32 s (capped at 5 minutes, well under the broker's visibility timeout), with jitter.
    return min(2 ** (retries + 1), 300) * random.uniform(0.75, 1.25)


@clinicpay_task(names.RECONCILE_GROUP, max_retries=MAX_RETRIES)
def reconcile_group(self, reconciliation_id: str) -> str:  # noqa: ANN001
    rec_id = uuid.UUID(reconciliation_id)
    try:
        return reconciliation.reconcile(rec_id)
    except StripeUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            reconciliation.give_up(rec_id, exc)
            return "failed"
        countdown = _backoff(self.request.retries)
        hold_lease_until_retry(rec_id, countdown)
        reconciliation.note_retry(rec_id, self.request.retries + 1, countdown)
        log.warning("reconciliation_retrying", reconciliation_id=reconciliation_id, countdown=round(countdown, 1),
                    retries=self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from None
    except Exception as exc:
        log.exception("reconciliation_crashed", reconciliation_id=reconciliation_id)
        reconciliation.give_up(rec_id, exc)
        return "failed"


@clinicpay_task(names.SCHEDULE_RECONCILIATIONS, max_retries=0, acks_late=False)
def schedule_all(self) -> int:  # noqa: ANN001
    return reconciliation.schedule_all()


@clinicpay_task(names.SWEEP_RECONCILIATIONS, max_retries=0, acks_late=False)
def sweep_stale(self) -> int:  # noqa: ANN001
    return reconciliation.sweep_stale()
