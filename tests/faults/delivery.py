"""Playing Stripe at volume: many signed deliveries at once, each answered and counted."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.stripe_events import deliver


def deliver_all(
    url: str, events: Sequence[dict[str, Any]], secret: str, *, threads: int = 32, timeout: float = 30.0
) -> list[int]:
    """POST every event (signed with `secret`) from `threads` concurrent senders, as Stripe's delivery
    fleet does; the HTTP status of each, in the order of `events` (0: the connection failed)."""
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=timeout)
            with lock:
                clients.append(local.client)
        return local.client

    def one(evt: dict[str, Any]) -> int:
        try:
            return deliver(client(), url, evt, secret).status_code
        except httpx.HTTPError:
            return 0

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(one, events))
    finally:
        for c in clients:
            c.close()


def tally(statuses: Sequence[int]) -> dict[int, int]:
    return dict(Counter(statuses))
