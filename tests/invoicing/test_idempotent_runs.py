"""A biller's browser retrying "Update" with the same Idempotency-Key starts one run, not two."""

from __future__ import annotations

import threading

import httpx

from tests import factories as b


def post_run(client: httpx.Client, practice: b.PracticeRow, services: list, key: str, date: str = "2026-04-01"):
    return client.post(
        "/v1/invoicing/runs",
        headers={**practice.biller, "Idempotency-Key": key},
        json={"service_ids": [str(s) for s in services], "invoiced_date": date},
    )


def test_a_retried_request_answers_the_same_run(http, worker):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = [b.make_service(practice, b.make_client(practice, n), rate) for n in ("Ada", "Grace")]
    first = post_run(http, practice, services, "update-click-1")
    assert first.status_code == 202, first.text
    again = post_run(http, practice, services, "update-click-1")
    assert again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert b.run_count() == 1
    assert b.wait_for_run(http, practice, first.json()["id"])["status"] == "succeeded"

    # The same key with another request is a mistake, and says so.
    other = post_run(http, practice, services, "update-click-1", date="2026-05-01")
    assert (other.status_code, other.json()["error"]["code"]) == (422, "idempotency_key_reused")
    # Without a key (or with a new one) the services are simply already invoiced.
    assert post_run(http, practice, services, "update-click-2").status_code == 409
    assert b.run_count() == 1


def test_two_retries_in_flight_at_once_start_one_run(http, api_url, worker):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = [b.make_service(practice, b.make_client(practice, f"Client {i}"), rate) for i in range(5)]
    barrier = threading.Barrier(3)
    answers: list[httpx.Response] = []

    def click() -> None:
        with httpx.Client(base_url=api_url, timeout=60) as own:
            barrier.wait()
            answers.append(post_run(own, practice, services, "same-click"))

    threads = [threading.Thread(target=click) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [202, 202, 202], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert b.run_count() == 1
    assert b.wait_for_run(http, practice, answers[0].json()["id"])["status"] == "succeeded"
