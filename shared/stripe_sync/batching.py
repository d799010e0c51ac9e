"""How inbox rows travel to the worker: their ids, several to a `payments.apply_stripe_events` message.

Kept free of the ORM so the relay, which only sends, stays a small process.
"""

from __future__ import annotations

import uuid

# Big enough that a backlog costs few tasks and commits, small enough that it spreads over every
# worker process and one slow event holds back few others.
EVENTS_PER_MESSAGE = 20


def in_messages(event_ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [event_ids[i : i + EVENTS_PER_MESSAGE] for i in range(0, len(event_ids), EVENTS_PER_MESSAGE)]
