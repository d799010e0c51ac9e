"""Fixtures for the webhook journeys: the receiver (with its relay) and the worker, both real processes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.factories import PracticeRow, wait_until_processed
from tests.stripe_events import deliver


@pytest.fixture
def stripe_http() -> Iterator[httpx.Client]:
    """Plays Stripe: a plain HTTP client that delivers events to the receiver."""
    with httpx.Client(timeout=30.0) as client:
        yield client


@pytest.fixture
def pipeline(receiver, worker):
    """Receiver + relay + worker: what turns a delivery into a ledger change."""
    return receiver


def send_and_apply(pipeline, client: httpx.Client, practice: PracticeRow, evt: dict) -> str:
    """Deliver one signed event to the practice's webhook URL as Stripe would, and wait for the worker:
    the outcome it stored (applied, ignored, unmatched), read only once the ledger has moved."""
    r = deliver(client, pipeline.webhook_url(str(practice.group_id)), evt, practice.webhook_secret)
    assert r.status_code == 200, r.text
    return wait_until_processed(practice.group_id, evt)["outcome"]
