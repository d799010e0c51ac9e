"""How long invoicing runs take on this machine. Measured and printed, never asserted on time."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from shared.billing.models import Service
from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from tests import factories as b


def measure(http, capsys, *, clients: int, per_client: int) -> None:
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = b.make_many_services(practice, rate, clients=clients, per_client=per_client)
    r = b.start_run(http, practice, services)
    assert r.status_code == 202, r.text
    run = b.wait_for_run(http, practice, r.json()["id"], timeout=300)
    assert run["status"] == "succeeded" and len(run["invoice_ids"]) == clients
    assert b.invoice_sequences(practice.group_id) == list(range(1, clients + 1))
    with session_scope() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Service)
                .where(Service.group_id == practice.group_id, Service.invoice_id.is_(None))
            )
            == 0
        )
        assert (
            session.scalar(select(func.sum(Invoice.total_cents)).where(Invoice.group_id == practice.group_id))
            == clients * per_client * 10_000
        )
    started, finished, created = (datetime.fromisoformat(run[k]) for k in ("started_at", "finished_at", "created_at"))
    worker_seconds = (finished - started).total_seconds()
    with capsys.disabled():
        print(
            f"\n[measure] run of {clients * per_client:,} services / {clients:,} invoices (PDFs included): "
            f"{worker_seconds:.2f}s in the worker = {clients / worker_seconds:.0f} invoices/s; "
            f"{(finished - created).total_seconds():.2f}s from the 202 to done"
        )


def test_one_thousand_services_for_two_hundred_clients(http, worker, capsys):
    measure(http, capsys, clients=200, per_client=5)


@pytest.mark.slow
def test_ten_thousand_services_for_two_thousand_clients(http, worker, capsys):
    measure(http, capsys, clients=2_000, per_client=5)
