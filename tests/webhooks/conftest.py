"""Fixtures for the webhook journeys: the receiver (with its relay) and the worker, both real processes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def stripe_http() -> Iterator[httpx.Client]:
    """Plays Stripe: a plain HTTP client that delivers events to the receiver."""
    with httpx.Client(timeout=30.0) as client:
        yield client


@pytest.fixture
def pipeline(receiver, worker):
    """Receiver + relay + worker: what turns a delivery into a ledger change."""
    return receiver
