"""The relay: `python -m services.webhooks.relay`, part of the receiver's service.

Sends stored, undispatched inbox rows to the worker (`payments.apply_stripe_events`),
several row ids per message (`shared.stripe_sync.batching`). It wakes on the receiver's
`NOTIFY stripe_events` and also polls every second, so a missed notification only costs a
second. Each batch is claimed with
`FOR UPDATE SKIP LOCKED` and marked dispatched in a short transaction, then sent; rows
whose send failed (broker down) are un-marked and go out once the broker is back. Any
number of relays may run: SKIP LOCKED gives each its own rows.

Claiming before sending (rather than holding the row locks while sending) keeps a worker
that already got the message from waiting on our lock. If the relay dies between claim
and send, the beat sweeper re-sends those rows (dispatched, never leased).
"""

from __future__ import annotations

import signal
import time
import uuid

import psycopg

from services.webhooks.db import plain_dsn
from shared.config import check_settings
from shared.logging import configure_logging, get_logger
from shared.stripe_sync.batching import in_messages
from shared.tasks import names
from shared.tasks.enqueue import send_tasks
from shared.tasks.retry import RELAY_RECONNECT

log = get_logger("clinicpay.relay")

CHANNEL = "stripe_events"
BATCH = 500
POLL_SECONDS = 1.0
# After a wake-up, let the burst that caused it land, so one claim takes many rows.
COALESCE_SECONDS = 0.01

CLAIM = """
UPDATE stripe_events SET dispatched_at = now()
WHERE id IN (SELECT id FROM stripe_events WHERE dispatched_at IS NULL
             ORDER BY received_at LIMIT %s FOR UPDATE SKIP LOCKED)
RETURNING id
"""
UNCLAIM = "UPDATE stripe_events SET dispatched_at = NULL WHERE id = ANY(%s) AND processed_at IS NULL"


class Relay:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.stopping = False
        self.listen_conn: psycopg.Connection | None = None
        self.conn: psycopg.Connection | None = None
        self.broker_failures = 0  # in a row; the wait before the next try is RELAY_RECONNECT's
        self.broker_backoff = 0.0

    def _connect(self) -> None:
        self.close()
        self.listen_conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
        self.listen_conn.execute(f"LISTEN {CHANNEL}")
        self.conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
        # Losing a dispatched_at mark in a database crash only means sending that row again (the
        # worker's lease and processed_at make that harmless), so the claim need not wait for the disk.
        self.conn.execute("SET synchronous_commit = off")

    def close(self) -> None:
        for conn in (self.listen_conn, self.conn):
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass
        self.listen_conn = self.conn = None

    def dispatch_batch(self) -> tuple[int, bool]:
        """Send up to BATCH rows; (how many were sent, whether the broker refused one)."""
        ids: list[uuid.UUID] = [row[0] for row in self.conn.execute(CLAIM, (BATCH,)).fetchall()]
        if not ids:
            return 0, False
        messages = in_messages(ids)
        went = send_tasks(names.APPLY_STRIPE_EVENTS, [([str(event_id) for event_id in m],) for m in messages])
        sent = sum(len(message) for message in messages[:went])
        if went < len(messages):
            log.warning("relay_broker_unavailable", unsent=len(ids) - sent)
            self.conn.execute(UNCLAIM, (ids[sent:],))
            return sent, True
        return sent, False

    def drain(self) -> None:
        """Dispatch until nothing is waiting or the broker refuses."""
        while not self.stopping:
            sent, refused = self.dispatch_batch()
            if refused:
                self.broker_backoff = RELAY_RECONNECT.delay(self.broker_failures)
                self.broker_failures += 1
                return
            self.broker_failures, self.broker_backoff = 0, 0.0
            if sent:
                log.debug("relay_dispatched", count=sent)
            if sent < BATCH:
                return

    def wait(self) -> None:
        """Until a notification arrives, or the poll interval (or the broker backoff) passes."""
        if self.broker_backoff:
            time.sleep(self.broker_backoff)
            return
        woken = False
        for _ in self.listen_conn.notifies(timeout=POLL_SECONDS, stop_after=1):
            woken = True
        if woken:
            time.sleep(COALESCE_SECONDS)
        # Drop the notifications that piled up meanwhile: the next claim takes all their rows at once.
        for _ in self.listen_conn.notifies(timeout=0.0):
            pass

    def run(self) -> None:
        db_failures = 0
        while not self.stopping:
            try:
                if self.listen_conn is None:
                    self._connect()
                    log.info("relay_listening", channel=CHANNEL)
                self.drain()
                db_failures = 0
                self.wait()
            except psycopg.Error as exc:
                db_backoff = RELAY_RECONNECT.delay(db_failures)
                db_failures += 1
                log.warning("relay_database_unavailable", error=type(exc).__name__, retry_in=db_backoff)
                self.close()
                time.sleep(db_backoff)
        self.close()


def main() -> None:
    check_settings()
    configure_logging()
    relay = Relay(plain_dsn())

    def _stop(*_):
        relay.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("relay_started")
    relay.run()
    log.info("relay_stopped")


if __name__ == "__main__":
    main()
