"""Applying stored Stripe events, and the sweeper that re-sends what the broker lost."""

from __future__ import annotations

import uuid

from shared.stripe_sync import inbox
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task


@clinicpay_task(names.APPLY_STRIPE_EVENT, max_retries=inbox.MAX_ATTEMPTS)
def apply_stripe_event(self, event_row_id: str) -> str:  # noqa: ANN001
    try:
        return inbox.process_event(uuid.UUID(event_row_id))
    except inbox.EventFailed as failed:
        # Transient errors are retried here soon, on the same backoff the row's lease records;
        # anything else waits for the sweeper (which also retries it, more slowly, up to the limit).
        if failed.transient and failed.attempts_left:
            raise self.retry(exc=inbox.EventNotApplied(str(failed)), countdown=failed.retry_in) from None
        raise inbox.EventNotApplied(str(failed)) from None
    except inbox.DATABASE_UNAVAILABLE as exc:
        # Not even claimed, so no lease holds a backoff for the sweeper to honour. Failing here would
        # drop the message: a worker would drain its whole queue in seconds while the database
        # restarts, and every event would wait for the sweeper's "lost" clock. Retry soon instead.
        raise self.retry(exc=inbox.EventNotApplied(inbox.describe(exc)),
                         countdown=inbox.retry_delay(self.request.retries + 1)) from None


@clinicpay_task(names.SWEEP_STRIPE_EVENTS, max_retries=0, acks_late=False)
def sweep_stripe_events(self) -> int:  # noqa: ANN001
    return inbox.sweep()
