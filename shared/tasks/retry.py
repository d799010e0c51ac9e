"""The one retry policy: how long to wait before trying again, how many times, and for which errors.

One formula for every wait: the n-th retry (n = 0, 1, …) waits

    min(cap, base · 2ⁿ) × a jitter factor drawn from [jitter_low, jitter_high]

so a crowd of workers that failed together does not come back together. Every cap stays far
below the broker's one-hour visibility timeout, so a retry that is waiting is never also
redelivered. The policies differ only where the work does:

- TASK: a Celery task's automatic retries (`clinicpay_task(autoretry_for=…)`), full jitter;
  Celery computes exactly this formula from the policy's base and cap;
- PDF_RENDER: rendering ahead of time — readers render lazily anyway, so fewer tries;
- RECONCILIATION: a run retried while Stripe does not answer; each retry shows on the run;
- STRIPE_EVENT: an inbox event — its attempts are counted on the row and the sweeper retries it
  too, for far longer than a task (a failed event is money not yet recorded);
- RELAY_RECONNECT: the relay's waits while the broker or the database is down; no cap on tries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sqlalchemy.exc
import stripe

from shared.errors import TryAgainLater

# The database unreachable (down, restarting, a dropped connection): nothing was decided.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)
# Stripe did not answer (network, 429, 5xx; the gateway's StripeUnavailable is a TryAgainLater).
STRIPE_UNAVAILABLE: tuple[type[BaseException], ...] = (stripe.APIConnectionError, stripe.RateLimitError)
# Worth another try soon. Anything else is a bug or a refusal: retrying would not help.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (TryAgainLater, *STRIPE_UNAVAILABLE, *DATABASE_UNAVAILABLE)


@dataclass(frozen=True)
class RetryPolicy:
    name: str
    base: float  # seconds: the wait before the first retry, before jitter
    cap: float  # seconds: no wait is longer (before jitter)
    max_retries: int | None  # retries after the first try; None: until it works
    jitter_low: float = 0.0
    jitter_high: float = 1.0

    def ceiling(self, retry: int) -> float:
        """The wait before retry number `retry` (0 is the first), before jitter."""
        return min(self.cap, self.base * 2.0 ** min(max(retry, 0), 64))

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number `retry`, with jitter."""
        factor = (rng or random).uniform(self.jitter_low, self.jitter_high)
        return self.ceiling(retry) * factor

    def longest(self, retry: int) -> float:
        """The longest `delay(retry)` can be."""
        return self.ceiling(retry) * self.jitter_high

    def exhausted(self, retries: int) -> bool:
        """`retries` retries were made already: no more."""
        return self.max_retries is not None and retries >= self.max_retries


TASK = RetryPolicy("task", base=2.0, cap=300.0, max_retries=8)
PDF_RENDER = RetryPolicy("pdf_render", base=2.0, cap=300.0, max_retries=5)
# Tasks that must not retry (beat's sweepers and schedules: the next beat is their retry).
NO_RETRY = RetryPolicy("no_retry", base=0.0, cap=0.0, max_retries=0)
RECONCILIATION = RetryPolicy("reconciliation", base=2.0, cap=300.0, max_retries=5, jitter_low=0.75, jitter_high=1.25)
# base 1: an event's first retry, after attempt 1, waits 1-2 s (the delay is indexed by attempts).
STRIPE_EVENT_MAX_ATTEMPTS = 8  # on the row; after them it waits, visible, for an operator
STRIPE_EVENT = RetryPolicy(
    "stripe_event", base=1.0, cap=300.0, max_retries=STRIPE_EVENT_MAX_ATTEMPTS, jitter_low=0.5, jitter_high=1.0
)
RELAY_RECONNECT = RetryPolicy("relay_reconnect", base=0.5, cap=10.0, max_retries=None, jitter_low=1.0, jitter_high=1.0)

# Leased work taken over after a dead worker (shared/db/lease.py) counts its takes on the row:
# taken this many times without finishing, it is failing for a reason a retry won't fix.
INVOICING_RUN_MAX_TAKES = 5
RECONCILIATION_MAX_TAKES = 8
