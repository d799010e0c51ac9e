"""The one retry policy (shared/tasks/retry.py): every wait stays within its bounds, grows, and
never reaches the broker's visibility timeout. Pure functions: no database, no broker."""

from __future__ import annotations

import random

import pytest
import sqlalchemy.exc
import stripe

from shared.invoicing.pdf_fonts import FontsMissing
from shared.stripe_sync.gateway import StripeUnavailable
from shared.tasks import retry
from shared.tasks.retry import (
    NO_RETRY,
    PDF_RENDER,
    RECONCILIATION,
    RELAY_RECONNECT,
    STRIPE_EVENT,
    TASK,
    TRANSIENT_ERRORS,
    RetryPolicy,
)

POLICIES = [TASK, PDF_RENDER, RECONCILIATION, STRIPE_EVENT, RELAY_RECONNECT]
VISIBILITY_TIMEOUT_SECONDS = 3600


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_wait_is_within_the_jitter_bounds_and_under_the_visibility_timeout(policy: RetryPolicy):
    rng = random.Random(12)
    for attempt in range(40):
        ceiling = policy.ceiling(attempt)
        assert ceiling == min(policy.cap, policy.base * 2**attempt)
        for _ in range(200):
            wait = policy.delay(attempt, rng)
            assert ceiling * policy.jitter_low <= wait <= ceiling * policy.jitter_high
            assert wait <= policy.longest(attempt) < VISIBILITY_TIMEOUT_SECONDS


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_waits_grow_until_the_cap_and_then_stay_there(policy: RetryPolicy):
    ceilings = [policy.ceiling(n) for n in range(30)]
    assert ceilings == sorted(ceilings)
    assert ceilings[0] == policy.base
    assert ceilings[-1] == policy.cap


def test_jitter_spreads_a_crowd_of_retries():
    rng = random.Random(7)
    waits = [TASK.delay(5, rng) for _ in range(500)]
    assert max(waits) - min(waits) > TASK.ceiling(5) / 2  # not everyone comes back at once
    fixed = {RELAY_RECONNECT.delay(3, rng) for _ in range(20)}
    assert fixed == {4.0}  # the relay's waits are plain doubling: 0.5, 1, 2, 4, 8, 10 s


def test_the_formulas_it_replaced_give_the_same_waits():
    assert [RELAY_RECONNECT.ceiling(n) for n in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert [RECONCILIATION.ceiling(n) for n in range(5)] == [2, 4, 8, 16, 32]
    assert (RECONCILIATION.jitter_low, RECONCILIATION.jitter_high) == (0.75, 1.25)
    # An inbox event's wait is indexed by its attempts so far: after the first, 1-2 s.
    assert STRIPE_EVENT.ceiling(1) == 2 and (STRIPE_EVENT.jitter_low, STRIPE_EVENT.jitter_high) == (0.5, 1.0)
    assert [TASK.ceiling(n) for n in (0, 1, 7, 8, 9)] == [2, 4, 256, 300, 300]


def test_attempt_caps_differ_only_by_name():
    assert (TASK.max_retries, PDF_RENDER.max_retries, RECONCILIATION.max_retries) == (8, 5, 5)
    assert STRIPE_EVENT.max_retries == retry.STRIPE_EVENT_MAX_ATTEMPTS == 8
    assert NO_RETRY.exhausted(0)
    assert not RECONCILIATION.exhausted(4) and RECONCILIATION.exhausted(5)
    assert RELAY_RECONNECT.max_retries is None and not RELAY_RECONNECT.exhausted(10**6)


def test_huge_attempt_numbers_do_not_overflow():
    assert TASK.ceiling(10**9) == TASK.cap
    assert TASK.ceiling(-3) == TASK.base


@pytest.mark.parametrize(
    "error",
    [
        stripe.APIConnectionError("down"),
        stripe.RateLimitError("slow down"),
        StripeUnavailable(),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("gone")),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("closed")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_are_retried(error: BaseException):
    assert isinstance(error, TRANSIENT_ERRORS)


@pytest.mark.parametrize(
    "error",
    [
        stripe.AuthenticationError("bad key"),
        stripe.InvalidRequestError("no such thing", param=None),
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")),
        ValueError("a bug"),
        FontsMissing([]),  # a dependency missing for good, not a busy one
    ],
    ids=lambda e: type(e).__name__,
)
def test_refusals_and_bugs_are_not(error: BaseException):
    assert not isinstance(error, TRANSIENT_ERRORS)
