"""The database goes away: the receiver refuses (503) and keeps nothing half-way, so Stripe retries;
once the database is back, the retried deliveries are accepted and applied."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.factories import auth, issue_token, make_practice, make_staff_user
from tests.faults.delivery import deliver_all, tally
from tests.faults.ledger import (
    card_event_losses,
    card_event_results,
    card_payments,
    inbox_counts,
    succeeded_events,
    wait_until_busy,
    wait_until_processed,
)
from tests.faults.record import record_scenario

BEFORE, DURING = 10, 40
MID_APPLY = 300


def staff_headers(group_id) -> dict[str, str]:
    return auth(issue_token(make_staff_user(str(group_id), f"biller-{group_id.hex[:8]}@faults.example")))


@pytest.mark.slow
def test_the_receiver_refuses_while_the_database_is_down_and_accepts_stripes_retry(stack, api, clock):
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    biller = staff_headers(gid)
    payments = card_payments(gid, [5_000 + i for i in range(BEFORE + DURING)])
    events = succeeded_events(payments)
    url = stack.webhook_url(gid)
    # Normal traffic first (the receiver now holds the practice's secret in its cache).
    assert tally(deliver_all(url, events[:BEFORE], practice.webhook_secret, threads=4)) == {200: BEFORE}
    wait_until_processed(gid, BEFORE, timeout=60, interval=0.1, message="the first events applied")

    stack.pg.stop()
    refused = deliver_all(url, events[BEFORE:], practice.webhook_secret, threads=8)
    receiver_ready = httpx.get(f"{stack.receiver_url}/readyz", timeout=10)
    api_ready = api.get("/readyz")
    biller_page = api.get("/v1/invoices", headers=biller)
    answers = {httpx.post(url, content=b"{}", timeout=10).status_code}  # even a forged body: nothing to check it with
    stack.pg.start()
    back_at = time.monotonic()

    stored_after_outage = inbox_counts(gid)["stored"]
    biller_page_after = api.get("/v1/invoices", headers=biller)
    # Stripe's retry of every refused delivery.
    retried = deliver_all(url, events[BEFORE:], practice.webhook_secret, threads=8)
    wait_until_processed(gid, BEFORE + DURING, timeout=120, message="the retried events to be applied")
    recovery_s = time.monotonic() - back_at

    rows, applied, invoices = card_event_results(gid)
    lost = {
        "acknowledged_while_down": sum(1 for s in refused if s == 200),
        "stored_half_way": stored_after_outage - BEFORE,
        "retries_refused": sum(1 for s in retried if s != 200),
        **card_event_losses(rows, applied, invoices),
    }
    record_scenario(
        "database_down",
        title="Database (PostgreSQL) down while webhooks arrive",
        load={"events": BEFORE + DURING, "refused_then_retried": DURING},
        faults=[f"private PostgreSQL stopped (fast shutdown) while {DURING} events were delivered, then started"],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"while down the receiver answered {tally(refused)}, /readyz {receiver_ready.status_code}; "
        f"the retries answered {tally(retried)} and were applied within {recovery_s:.0f}s",
    )

    # While the database was down: a clear "try again" to Stripe, never a 200 for an event not stored.
    assert tally(refused) == {503: DURING}
    assert receiver_ready.status_code == 503 and api_ready.status_code == 503
    # The staff pages get the same plain "try again", and work again on the next request once it is back.
    assert biller_page.status_code == 503 and biller_page.json()["error"]["code"] == "service_unavailable"
    assert biller_page_after.status_code == 200, biller_page_after.text
    assert answers <= {400, 503}
    # Nothing half-way: no row for any refused delivery.
    assert stored_after_outage == BEFORE
    # Stripe's retry is accepted and applied, once.
    assert tally(retried) == {200: DURING}
    assert lost == dict.fromkeys(lost, 0), lost
    assert len(applied) == BEFORE + DURING and set(applied.values()) == {1}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_database_restarting_while_the_worker_applies_events(stack, clock):
    practice = make_practice(with_webhook_secret=True)
    gid = practice.group_id
    payments = card_payments(gid, [7_000 + i for i in range(MID_APPLY)])
    events = succeeded_events(payments)
    stack.beat.start()
    assert tally(deliver_all(stack.webhook_url(gid), events, practice.webhook_secret, threads=16)) == {200: MID_APPLY}
    wait_until_busy(gid, MID_APPLY // 5)
    stack.pg.stop()
    down_at = time.monotonic()
    time.sleep(3)  # every connection of the worker, relay and beat's sweeps fails meanwhile
    stack.pg.start()
    back_at = time.monotonic()
    processed_before = inbox_counts(gid)["processed"]
    wait_until_processed(gid, MID_APPLY, timeout=240, message="every event to be applied after the database came back")
    recovery_s = time.monotonic() - back_at

    rows, applied, invoices = card_event_results(gid)
    lost = card_event_losses(rows, applied, invoices)
    record_scenario(
        "database_restart_mid_apply",
        title="Database restarted while the worker applies events",
        load={"events": MID_APPLY, "payments": MID_APPLY},
        faults=[
            f"private PostgreSQL stopped for {back_at - down_at:.0f}s (fast shutdown: open transactions cut) "
            f"after {processed_before} of {MID_APPLY} events were applied"
        ],
        lost=lost,
        duration_s=clock.seconds,
        notes=f"all applied {recovery_s:.0f}s after the database was back; "
        f"{sum(1 for r in rows if r['attempts'] > 1)} event(s) needed a second attempt",
    )

    assert lost == dict.fromkeys(lost, 0), lost
    assert len(applied) == MID_APPLY and set(applied.values()) == {1}
    assert all(r["last_error"] is None for r in rows)
