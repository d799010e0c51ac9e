"""Fault scenarios run against a stack of their own (tests/faults/private_stack.py), started once for
the package. Each test gets it healthy, with an empty database and an empty broker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.faults.private_stack import PrivateStack, this_process_on


@pytest.fixture(scope="package")
def private_stack(mail_server) -> Iterator[PrivateStack]:
    # The private worker sends the outbox's emails to the session's SMTP server (CLINICPAY_SMTP_URL
    # in its environment): running, so a scenario's receipts are delivered instead of retried.
    stack = PrivateStack().start()
    try:
        with this_process_on(stack):
            yield stack
    finally:
        stack.close()


@pytest.fixture
def stack(private_stack: PrivateStack) -> Iterator[PrivateStack]:
    """The private stack, every process up, beat off (tests that want the real schedule start it).
    The root conftest's `clean_state` has already emptied this test process's database — which is
    the private one here."""
    private_stack.ensure_healthy()
    private_stack.flush_broker()
    yield private_stack
    private_stack.beat.stop()


@pytest.fixture
def api(stack: PrivateStack) -> Iterator[httpx.Client]:
    """An HTTP client on the private API, as a portal frontend or a biller's browser."""
    with stack.http() as client:
        yield client


@pytest.fixture
def clock() -> Stopwatch:
    return Stopwatch()


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
