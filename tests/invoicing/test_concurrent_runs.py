"""Billers clicking "Update" at the same moment: no service is invoiced twice, no number skipped or reused."""

from __future__ import annotations

import threading
from collections import Counter

import httpx

from tests import factories as b


def race(api_url: str, practice: b.PracticeRow, selections: list[list]) -> list[httpx.Response]:
    """Start one run per selection, all at once, each over its own connection."""
    barrier = threading.Barrier(len(selections))
    answers: list[httpx.Response | None] = [None] * len(selections)

    def click(i: int) -> None:
        with httpx.Client(base_url=api_url, timeout=60) as own:
            barrier.wait()
            answers[i] = b.start_run(own, practice, selections[i])

    threads = [threading.Thread(target=click, args=(i,)) for i in range(len(selections))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_runs_racing_on_overlapping_services_one_wins_whole(http, api_url, worker):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    clients = [b.make_client(practice, f"Client {i}") for i in range(3)]
    for round_ in range(4):
        services = [b.make_service(practice, c, rate, f"2026-03-{d + 1:02d}") for c in clients for d in range(2)]
        # Both selections hold services 2 and 3; each also has some of its own.
        answers = race(api_url, practice, [services[:4], services[2:]])
        codes = sorted(a.status_code for a in answers)
        assert codes == [202, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409).json()["error"]
        assert loser["code"] == "service_already_invoiced"
        assert set(loser["service_ids"]) <= {str(s) for s in services[2:4]}
        winner = next(a for a in answers if a.status_code == 202).json()
        run = b.wait_for_run(http, practice, winner["id"])
        assert run["status"] == "succeeded", run
        states = b.service_state(services)
        won = services[:4] if answers[0].status_code == 202 else services[2:]
        lost_only = [s for s in services if s not in won]
        assert all(states[str(s)][0] is not None for s in won), round_
        # The loser's own services were never claimed: they are still waiting in the queue.
        assert all(states[str(s)] == (None, None) for s in lost_only), round_
        queue = {row["id"] for row in http.get("/v1/invoicing/queue", headers=practice.biller).json()["data"]}
        assert queue == {str(s) for s in lost_only}
        b.invoice(http, practice, lost_only)

    # Every service ended on exactly one invoice line, and the numbers run 1..N without a gap.
    invoices = http.get("/v1/invoices", params={"limit": 200}, headers=practice.biller).json()["data"]
    lines = Counter()
    for inv in invoices:
        for line in http.get(f"/v1/invoices/{inv['id']}", headers=practice.biller).json()["lines"]:
            lines[line["service_id"]] += 1
    assert len(lines) == 4 * 6 and set(lines.values()) == {1}
    assert b.invoice_sequences(practice.group_id) == list(range(1, len(invoices) + 1))
    assert sorted(i["number"] for i in invoices) == [f"INV-{n:06d}" for n in range(1, len(invoices) + 1)]


def test_many_runs_on_disjoint_services_number_one_to_n_without_gap_or_duplicate(http, api_url, worker):
    practice = b.make_practice(staff=True, prefix="CT-")
    rate = b.make_rate(practice)
    clients = [b.make_client(practice, f"Client {i:02d}") for i in range(24)]
    services = [b.make_service(practice, c, rate, "2026-03-02") for c in clients]
    # Eight billers each invoice three different clients at the same moment.
    selections = [services[i : i + 3] for i in range(0, 24, 3)]
    answers = race(api_url, practice, selections)
    assert [a.status_code for a in answers] == [202] * 8, [a.text for a in answers if a.status_code != 202]
    runs = [b.wait_for_run(http, practice, a.json()["id"]) for a in answers]
    assert all(r["status"] == "succeeded" and len(r["invoice_ids"]) == 3 for r in runs), runs

    assert b.invoice_sequences(practice.group_id) == list(range(1, 25))
    invoices = http.get("/v1/invoices", params={"limit": 100}, headers=practice.biller).json()["data"]
    assert sorted(i["number"] for i in invoices) == [f"CT-{n:06d}" for n in range(1, 25)]
    # Each run's invoices carry consecutive numbers (a run numbers its clients together).
    by_id = {i["id"]: i for i in invoices}
    for run in runs:
        numbers = sorted(int(by_id[i]["number"][3:]) for i in run["invoice_ids"])
        assert numbers == list(range(numbers[0], numbers[0] + 3))
