"""The broker goes away while Stripe delivers: every event is still acknowledged (it is stored),
and once Redis is back the relay and the sweeper get every one of them applied, exactly once."""

from __future__ import annotations

import base64
import json
import time

import pytest
import redis

from shared.jobs import inbox as inbox_sweep
from shared.tasks import names
from tests import factories as b
from tests.conftest import poll_until
from tests.factories import make_practice
from tests.faults.delivery import deliver_all, tally
from tests.faults.ledger import (
    card_event_losses,
    card_event_results,
    card_payments,
    inbox_counts,
    invoices_by_id,
    payments_by_id,
    succeeded_events,
    wait_until_processed,
)
from tests.faults.record import record_scenario

EVENTS = 500
RUN_CLIENTS = 25
QUEUED = 200


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_events_received_while_redis_is_down_are_all_applied_once_it_is_back(stack, api, clock):
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    payments = card_payments(gid, [2_000 + i for i in range(EVENTS)])
    events = succeeded_events(payments)
    billing = b.make_practice(staff=True)
    services = b.make_many_services(billing, b.make_rate(billing), clients=RUN_CLIENTS, per_client=2)
    stack.beat.start()  # the real schedule, sweepers included

    stack.redis.stop()
    down_at = time.monotonic()
    statuses = deliver_all(stack.webhook_url(gid), events, practice.webhook_secret, threads=16)
    # A biller asks for an invoicing run meanwhile: accepted (the run is a row), sent once Redis is back.
    run_requested = b.start_run(api, billing, services)
    api_ready = api.get("/readyz").json()
    stored_while_down = inbox_counts(gid)
    still_open = sum(1 for i in invoices_by_id(gid).values() if i["status"] == "open")
    time.sleep(max(0.0, 3.0 - (time.monotonic() - down_at)))  # let the relay and beat fail at least once
    stack.redis.start()
    back_at = time.monotonic()

    wait_until_processed(gid, EVENTS, timeout=180, message="every stored event to be applied after Redis came back")
    recovery_s = time.monotonic() - back_at
    run = (
        b.wait_for_run(api, billing, run_requested.json()["id"], timeout=90)
        if run_requested.status_code == 202
        else {"status": f"refused {run_requested.status_code}"}
    )

    rows, applied, invoices = card_event_results(gid)
    ledger = payments_by_id(gid)
    lost = {
        "deliveries_refused": sum(1 for s in statuses if s != 200),
        "events_not_stored": EVENTS - stored_while_down["stored"],
        **card_event_losses(rows, applied, invoices),
        "invoicing_runs_lost": int(run["status"] != "succeeded"),
    }
    record_scenario(
        "broker_down",
        title="Broker (Redis) down while webhooks arrive",
        load={"events": EVENTS, "payments": EVENTS, "concurrent_senders": 16, "invoicing_runs": 1},
        faults=[
            f"private Redis stopped for {back_at - down_at:.0f}s while {EVENTS} signed events were delivered, "
            "then started again empty (no persistence)"
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"receiver answered {tally(statuses)}; all {EVENTS} applied {recovery_s:.0f}s after Redis was back; "
        f"max attempts per event {max(r['attempts'] for r in rows)}",
    )

    # Stripe got its 200 for every event while the broker was down: each was durably stored first.
    assert tally(statuses) == {200: EVENTS}
    assert stored_while_down["stored"] == EVENTS and stored_while_down["processed"] == 0
    assert still_open == EVENTS  # nothing could be applied without the broker
    assert run_requested.status_code == 202, run_requested.text
    assert api_ready["checks"] == {"database": "ok", "broker": "unavailable"}
    assert run["status"] == "succeeded" and len(run["invoice_ids"]) == RUN_CLIENTS
    # Once it was back: every invoice paid in full, every payment succeeded, each change made once.
    assert lost == dict.fromkeys(lost, 0), lost
    assert {p["status"] for p in ledger.values()} == {"succeeded"}
    assert len(applied) == EVENTS and set(applied.values()) == {1}
    assert {r["attempts"] for r in rows} == {1}, "an event was taken more than once"
    assert all(r["last_error"] is None for r in rows)


def _event_ids_queued(broker: redis.Redis) -> int:
    """Inbox row ids waiting in the events queue (a message carries several)."""
    messages = [json.loads(raw) for raw in broker.lrange(names.QUEUE_EVENTS, 0, -1)]
    return sum(len(json.loads(base64.b64decode(m["body"]))[0][0]) for m in messages)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_events_queued_in_redis_when_it_restarts_empty_are_sent_again_from_the_inbox(stack, clock):
    """Redis keeps no copy on disk: a restart loses every queued message. The inbox is the record,
    so the sweeper finds the dispatched-but-never-taken rows and sends them again."""
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    payments = card_payments(gid, [8_000 + i for i in range(QUEUED)])
    events = succeeded_events(payments)
    stack.worker.stop()  # nobody consumes: the relay's messages wait in Redis
    stack.beat.start()
    assert tally(deliver_all(stack.webhook_url(gid), events, practice.webhook_secret, threads=16)) == {200: QUEUED}
    poll_until(lambda: inbox_counts(gid)["dispatched"] == QUEUED, timeout=60, message="the relay to dispatch all")
    # The relay marks a batch dispatched, then sends it: wait until every event's id is in Redis.
    broker = redis.Redis.from_url(stack.redis.url)
    poll_until(
        lambda: _event_ids_queued(broker) >= QUEUED, timeout=30, message="every dispatched event to be waiting in Redis"
    )
    queued = _event_ids_queued(broker)
    broker.close()

    stack.redis.stop()
    stack.redis.start()
    after_restart = _event_ids_queued(redis.Redis.from_url(stack.redis.url))
    restarted_at = time.monotonic()
    stack.restart_worker()
    wait_until_processed(gid, QUEUED, timeout=240, message="the sweeper to send the lost messages again")
    recovery_s = time.monotonic() - restarted_at

    rows, applied, invoices = card_event_results(gid)
    lost = card_event_losses(rows, applied, invoices)
    record_scenario(
        "broker_restart_loses_queue",
        title="Broker (Redis) restarted empty with events queued in it",
        load={"events": QUEUED, "queued_events_lost": queued - after_restart},
        faults=[
            f"{queued} dispatched events waiting in Redis (worker stopped); Redis restarted without "
            "persistence, losing them all"
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"the sweeper re-sent them from the inbox; all applied {recovery_s:.0f}s after the restart "
        f"(rows count as lost {inbox_sweep.LOST_AFTER_SECONDS:.0f}s after dispatch)",
    )

    assert queued == QUEUED and after_restart == 0  # the restart really lost every message
    assert lost == dict.fromkeys(lost, 0), lost
    assert len(applied) == QUEUED and set(applied.values()) == {1}
