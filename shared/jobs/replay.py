"""`clinicpay replay-event EVENT_ID`: apply a stored Stripe event again, now, in this process.

For an operator after fixing what made an event fail (or to re-check one). EVENT_ID is
our inbox row id or Stripe's `evt_…` id (every group's copy of it is replayed). The row
is reset (processed_at, outcome, lease) and applied synchronously; applying is by state,
so replaying an event whose effect is already in the ledger changes nothing.
"""

from __future__ import annotations

import sys
import uuid

from shared.jobs import transaction
from shared.jobs.inbox import EventFailed, describe, process_event
from shared.stripe_sync.inbox_repository import InboxRepository


def _find(event_id: str) -> list[tuple[uuid.UUID, str, str]]:
    with transaction() as session:
        repo = InboxRepository.from_session(session)
        try:
            row = repo.get(uuid.UUID(event_id))
            rows = [row] if row is not None else []
        except ValueError:
            rows = repo.by_stripe_event_id(event_id)
        return [(r.id, r.stripe_event_id, r.type) for r in rows]


def replay_event(event_id: str) -> int:
    """Exit code: 0 when every copy applied cleanly, 1 when one failed, 2 when none was found."""
    rows = _find(event_id.strip())
    if not rows:
        print(f"no stored Stripe event {event_id}", file=sys.stderr)
        return 2
    code = 0
    for row_id, stripe_event_id, event_type in rows:
        with transaction() as session:
            InboxRepository.from_session(session).reset_for_replay(row_id)
        try:
            outcome = process_event(row_id)
        except EventFailed as failed:
            print(f"{row_id} {stripe_event_id} {event_type}: failed: {describe(failed.cause)}", file=sys.stderr)
            code = 1
            continue
        print(f"{row_id} {stripe_event_id} {event_type}: {outcome}")
    return code
