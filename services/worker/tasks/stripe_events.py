"""Applying stored Stripe events, and the sweeper that re-sends what the broker lost."""

from __future__ import annotations

import uuid

from shared.jobs import inbox
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import DATABASE_UNAVAILABLE, NO_RETRY, STRIPE_EVENT


@clinicpay_task(names.APPLY_STRIPE_EVENTS, policy=STRIPE_EVENT)
def apply_stripe_events(self, event_row_ids: list[str]) -> dict[str, int]:
    try:
        result = inbox.process_events([uuid.UUID(event_id) for event_id in event_row_ids])
    except DATABASE_UNAVAILABLE as exc:
        # Not even claimed, so no lease holds a backoff for the sweeper to honour. Failing here would
        # drop the message: a worker would drain its whole queue in seconds while the database
        # restarts, and every event would wait for the sweeper's "lost" clock. Retry soon instead.
        raise self.retry(
            exc=inbox.EventNotApplied(inbox.describe(exc)), countdown=STRIPE_EVENT.delay(self.request.retries + 1)
        ) from None
    # Transient failures are retried here soon, once the longest of their backoffs has passed (each
    # row's lease records its own, and a row still under its lease would be skipped).
    # Anything else waits for the sweeper, which also retries it, more slowly, up to the limit.
    again = [failed for failed in result.failures if failed.transient and failed.attempts_left]
    if again:
        raise self.retry(
            args=([str(failed.event_id) for failed in again],),
            exc=inbox.EventNotApplied(str(again[0])),
            countdown=max(failed.retry_in for failed in again),
        ) from None
    if result.failures:
        raise inbox.EventNotApplied("; ".join(str(failed) for failed in result.failures))
    return {"applied": len(result.outcomes), "skipped": result.skipped}


@clinicpay_task(names.SWEEP_STRIPE_EVENTS, policy=NO_RETRY, acks_late=False)
def sweep_stripe_events(self) -> int:
    return inbox.sweep()
