"""Two pushes of the same services, or two clicks on "self-pay copy", at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.db_state import service_count
from tests.factories import make_client_via_api, make_rate_via_api


def _in_parallel(api_url: str, n: int, send):
    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=api_url, timeout=60) as client:
            return send(client)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_the_same_bulk_pushed_twice_at_once_makes_each_service_once(http, api_url, practice):
    client = make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice)
    body = {
        "services": [
            {
                "external_id": f"EHR-{i}",
                "client_id": client["id"],
                "billing_rate_id": rate["id"],
                "service_date": "2026-03-02",
                "amount_cents": 1000 + i,
            }
            for i in range(300)
        ]
    }
    answers = _in_parallel(api_url, 3, lambda c: c.post("/v1/services", headers=practice.biller, json=body))
    assert all(r.status_code in (200, 201) for r in answers), [r.text[:200] for r in answers]
    assert sum(r.json()["created"] for r in answers) == 300
    ids = {tuple(s["id"] for s in r.json()["data"]) for r in answers}
    assert len(ids) == 1  # every answer names the same services
    assert service_count(practice.group_id) == 300


def test_two_clicks_on_self_pay_copy_make_one_copy(http, api_url, practice):
    source = make_rate_via_api(http, practice, name="General Service", payer="insurance")
    answers = _in_parallel(
        api_url, 4, lambda c: c.post(f"/v1/billing-rates/{source['id']}/self-pay-copy", headers=practice.admin)
    )
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert len(http.get("/v1/billing-rates?payer=self_pay", headers=practice.admin).json()["data"]) == 1
