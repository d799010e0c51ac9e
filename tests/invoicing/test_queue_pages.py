"""A biller pages through a long queue: newest first across every invoiced rate, nothing twice, nothing else."""

from __future__ import annotations

from tests import factories as b


def _all_pages(http, practice, limit: int, **params) -> list[list[str]]:
    pages, after = [], None
    while True:
        query = {"limit": limit, **params, **({"starting_after": after} if after else {})}
        r = http.get("/v1/invoicing/queue", params=query, headers=practice.biller)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append([row["id"] for row in body["data"]])
        if not body["has_more"]:
            return pages
        after = body["data"][-1]["id"]


def test_the_queue_pages_newest_first_across_rates_and_leaves_out_what_is_not_invoiced(http, worker):
    practice = b.make_practice(staff=True, name="Long Queue Therapy")
    ada = b.make_client(practice, "Ada Lovelace")
    grace = b.make_client(practice, "Grace Hopper")
    self_pay = b.make_rate(practice, "General Service (Self-Pay)", 15_000)
    couples = b.make_rate(practice, "Couples Session (Self-Pay)", 20_000)
    insurance = b.make_rate(practice, "General Service", 15_000, is_invoiced=False, payer="insurance")
    waiting = []  # in the order they were pushed, so newest last
    for day in range(1, 8):
        waiting.append(b.make_service(practice, ada, self_pay, f"2026-03-{day:02d}"))
        b.make_service(practice, ada, insurance, f"2026-03-{day:02d}")
        waiting.append(b.make_service(practice, grace, couples, f"2026-03-{day:02d}"))
    newest_first = [str(s) for s in reversed(waiting)]

    pages = _all_pages(http, practice, limit=4)
    assert [len(p) for p in pages] == [4, 4, 4, 2]
    assert [s for page in pages for s in page] == newest_first

    # Filtered by client, the pages hold only that client's services, still newest first.
    grace_pages = _all_pages(http, practice, limit=3, client_id=str(grace.id))
    assert [s for page in grace_pages for s in page] == [s for s in newest_first if s in map(str, waiting[1::2])]

    # Once invoiced, a service leaves the queue, and it can no longer be paged after.
    b.invoice(http, practice, [waiting[-1]])
    assert _all_pages(http, practice, limit=50) == [newest_first[1:]]
    r = http.get("/v1/invoicing/queue", params={"starting_after": newest_first[0]}, headers=practice.biller)
    assert r.status_code == 404 and r.json()["error"]["param"] == "starting_after"
