"""The worker's units of work: what a task, beat's sweepers and the `clinicpay` command run.

A job is a sequence of short transactions with something slow or foreign between them — Stripe, the
mail server, a heartbeat — so no transaction stays open while we wait on the network. Each step runs
in `transaction()`, the one helper a task uses to write (committed when its block ends, the tasks it
enqueued sent then; rolled back on error). The domain functions a step calls take its session and
never commit. Nothing below the jobs imports them (`make lint`'s import rules); the API's requests
commit through their own boundary (`services/api/deps.py`).

- `inbox`: apply stored Stripe events exactly once in effect, and the sweeper that re-sends them;
- `replay`: `clinicpay replay-event`, an operator's second try at an event;
- `reconciliation`: a practice's run against Stripe's own record, its scheduling and sweeper;
- `invoicing_runs`: a bulk invoicing run under its lease, and the sweeper of dead runs;
- `delivery`: the outbox's emails over SMTP, and the sweeper of unsent ones;
- `reminders`: beat's run that writes the payment reminders whose step has come;
- `refunds`: refunds staff asked for that Stripe never answered, sent again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from shared.db.engine import session_scope


@contextmanager
def transaction() -> Iterator[Session]:
    """One step of a job in a transaction of its own: committed when the block ends, rolled back on error."""
    with session_scope() as session:
        yield session
