"""What the reminder tests stand on: a practice on UTC with a schedule, invoices with a chosen due
date issued through a real invoicing run, and the scheduler run at a chosen moment (its `now`, the
argument beat leaves out)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import httpx

from shared.jobs import reminders
from tests.factories import PracticeRow, make_practice, make_rate, make_service, wait_for_run
from tests.outbox.helpers import DESCRIPTION, RATE_NAME


def today() -> date:
    return datetime.now(UTC).date()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def reminding_practice(http: httpx.Client, schedule: list[int], quiet: tuple[int, int] = (0, 0)) -> PracticeRow:
    """A practice on UTC reminding on `schedule`; no quiet hours unless given (the tests' clock is real)."""
    practice = make_practice(staff=True, name="Calm Therapy")
    body = {
        "timezone": "UTC",
        "reminder_schedule_days": schedule,
        "reminder_quiet_start_hour": quiet[0],
        "reminder_quiet_end_hour": quiet[1],
    }
    r = http.patch("/v1/settings", headers=practice.admin, json=body)
    assert r.status_code == 200, r.text
    return practice


def issue(
    http: httpx.Client, practice: PracticeRow, clients: list, due: date, invoiced: date | None = None
) -> list[str]:
    """One invoice per client, invoiced today (or `invoiced`) and due on `due`. Returns their ids in order."""
    rate = make_rate(practice, name=RATE_NAME, amount_cents=12_000)
    services = [make_service(practice, client, rate, description=DESCRIPTION) for client in clients]
    body = {
        "service_ids": [str(s) for s in services],
        "invoiced_date": (invoiced or today()).isoformat(),
        "due_date": due.isoformat(),
    }
    r = http.post("/v1/invoicing/runs", headers=practice.biller, json=body)
    assert r.status_code == 202, r.text
    run = wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    by_client = {}
    for invoice_id in run["invoice_ids"]:
        found = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()
        by_client[found["client_id"]] = invoice_id
    return [by_client[str(client.id)] for client in clients]


def remind(now: datetime) -> int:
    """The scheduler, as beat's task runs it, acting at `now`."""
    return reminders.write_due_reminders(now)
