"""The reports' cache (shared/reports/cache.py): an answer is reused only while the practice's ledger is
unchanged, however it changed — through the API, by a worker, by hand-written SQL — and never crosses
practices; without Redis the answer is still right; one process computes a missing answer at a time."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest
import redis
from sqlalchemy import text

from shared.db.engine import get_engine, session_scope
from shared.reports import cache
from tests.factories import make_client_via_api, make_invoice, make_practice_via_api


def _owed(http, practice) -> tuple[int, dict[str, int]]:
    r = http.get("/v1/reports/aging", headers=practice.biller)
    assert r.status_code == 200, r.text
    report = r.json()
    return report["totals"]["total"], {c["client_name"]: c["total"] for c in report["clients"]}


def _version(group_id: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(
            text("SELECT coalesce((SELECT version FROM ledger_versions WHERE group_id = :g), 0)"), {"g": group_id}
        ).scalar_one()


def _behind_the_triggers_back(sql: str, **params: object) -> None:
    """Change a row with the ledger's triggers switched off (superuser only): what the cache would serve
    if something changed money without moving the version."""
    with get_engine().begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), params)


def test_the_answer_is_reused_until_the_ledger_changes_however_it_changes(http):
    practice = make_practice_via_api(http)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    first = make_invoice(practice.group_id, ada["id"], 10_000)
    second = make_invoice(practice.group_id, ada["id"], 5_000)
    assert _owed(http, practice) == (15_000, {"Ada Lovelace": 15_000})

    # Proof the cache answers: a change the triggers never saw is not shown...
    _behind_the_triggers_back("UPDATE invoices SET balance_cents = 1 WHERE id = :i", i=first)
    assert _owed(http, practice) == (15_000, {"Ada Lovelace": 15_000})
    _behind_the_triggers_back("UPDATE invoices SET balance_cents = 10000 WHERE id = :i", i=first)

    # ...and every real change is, on the very next view.
    r = http.post(
        f"/v1/invoices/{first}/payments",
        headers=practice.biller,
        json={"amount_cents": 2_500, "method": "check", "received_date": date.today().isoformat()},
    )
    assert r.status_code == 201, r.text
    assert _owed(http, practice) == (12_500, {"Ada Lovelace": 12_500})

    r = http.post(f"/v1/invoices/{second}/void", headers=practice.biller)
    assert r.status_code == 200, r.text
    assert _owed(http, practice) == (7_500, {"Ada Lovelace": 7_500})

    r = http.patch(f"/v1/clients/{ada['id']}", headers=practice.biller, json={"name": "Ada King"})
    assert r.status_code == 200, r.text
    assert _owed(http, practice) == (7_500, {"Ada King": 7_500})

    with session_scope() as session:  # a data fix by hand, as an operator might run one
        session.execute(text("UPDATE invoices SET balance_cents = 7000, paid_cents = 3000 WHERE id = :i"), {"i": first})
    assert _owed(http, practice) == (7_000, {"Ada King": 7_000})


def test_each_practice_has_its_own_answers(http):
    one, two = make_practice_via_api(http), make_practice_via_api(http)
    make_invoice(one.group_id, make_client_via_api(http, one, name="Ada")["id"], 1_000)
    make_invoice(two.group_id, make_client_via_api(http, two, name="Grace")["id"], 2_000)
    assert _owed(http, one) == (1_000, {"Ada": 1_000})
    assert _owed(http, two) == (2_000, {"Grace": 2_000})
    csv_one = http.get("/v1/reports/aging.csv", headers=one.biller).text
    csv_two = http.get("/v1/reports/aging.csv", headers=two.biller).text
    assert "Ada" in csv_one and "Grace" not in csv_one
    assert "Grace" in csv_two and "Ada" not in csv_two


def test_the_version_moves_once_per_committed_transaction_and_never_for_a_rolled_back_one(http):
    practice = make_practice_via_api(http)
    client_id = make_client_via_api(http, practice, name="Ada")["id"]
    ids = [make_invoice(practice.group_id, client_id, 1_000) for _ in range(3)]
    before = _version(practice.group_id)

    with session_scope() as session:  # three rows, one transaction
        session.execute(text("UPDATE invoices SET balance_cents = 900 WHERE id = ANY(:ids)"), {"ids": ids})
    assert _version(practice.group_id) == before + 1

    with get_engine().connect() as conn:
        conn.execute(text("UPDATE invoices SET balance_cents = 1 WHERE id = :i"), {"i": ids[0]})
        conn.rollback()
    assert _version(practice.group_id) == before + 1

    other = make_practice_via_api(http)
    assert _version(other.group_id) == 0


class _Counter:
    def __init__(self, seconds: float = 0.0, fail: bool = False) -> None:
        self.calls, self.seconds, self.fail = 0, seconds, fail

    def __call__(self) -> str:
        self.calls += 1
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("compute failed")
        return f"answer {self.calls}"


def _state() -> cache.LedgerState:
    return cache.LedgerState(uuid.uuid4(), "UTC", "USD", date.today(), "1.0")


def test_one_process_computes_a_missing_answer_and_the_others_wait_for_it():
    state, compute = _state(), _Counter(seconds=0.3)
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.cached(state, "aging", "q", compute))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert compute.calls == 1
    assert answers == ["answer 1"] * 8


def test_a_failed_computation_lets_the_waiting_requests_compute_their_own():
    state, failing = _state(), _Counter(seconds=0.2, fail=True)
    errors: list[Exception] = []

    def first() -> None:
        try:
            cache.cached(state, "aging", "q", failing)
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.05)
    began = time.monotonic()
    assert cache.cached(state, "aging", "q", _Counter()) == "answer 1"
    thread.join()
    assert errors and time.monotonic() - began < cache.WAIT_SECONDS


def test_without_redis_every_request_computes_its_own_right_answer(monkeypatch):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    monkeypatch.setattr(cache, "redis_client", lambda: unreachable)
    compute = _Counter()
    state = _state()
    assert cache.cached(state, "aging", "q", compute) == "answer 1"
    assert cache.cached(state, "aging", "q", compute) == "answer 2"


@pytest.mark.parametrize("field", ["version", "today", "timezone", "currency", "group_id"])
def test_an_answer_belongs_to_one_state_of_the_ledger(field):
    state = _state()
    changed = {
        "version": "2.0",
        "today": date(2000, 1, 1),
        "timezone": "Asia/Tokyo",
        "currency": "EUR",
        "group_id": uuid.uuid4(),
    }[field]
    other = cache.LedgerState(**{**state.__dict__, field: changed})
    assert state.key("aging", "q") != other.key("aging", "q")
    assert state.key("aging", "q") != state.key("collections", "q") != state.key("aging", "q2")
