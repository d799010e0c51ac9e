"""Billing rates and services: `make_rate_via_api` / `make_service_via_api` as an admin and a biller
add them over HTTP; `make_rate` / `make_service` / `make_many_services` as rows in the database."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select

from shared.billing.models import BillingRate, Service
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.fields import MAX_CENTS
from tests.factories.clients import ClientRow, make_client_via_api
from tests.factories.practices import Practice, PracticeRow

# Amounts in cents that are never one, whatever the field: negative, fractional, a float that happens to
# be whole, a string, a boolean (JSON's true is not 1), more than any invoice may hold (shared/fields.py).
NOT_CENTS = [-1, 10.5, 100.0, "100", True, False, MAX_CENTS + 1, 10**12]


def make_rate_via_api(
    http: httpx.Client,
    practice: Practice,
    name: str = "General Service (Self-Pay)",
    amount_cents: int = 12_000,
    payer: str = "self_pay",
    needs_billing: bool = True,
    is_invoiced: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """An admin adds a billing rate (POST /v1/billing-rates). Defaults to one that goes on invoices."""
    r = http.post(
        "/v1/billing-rates",
        headers=practice.admin,
        json={
            "name": name,
            "amount_cents": amount_cents,
            "payer": payer,
            "needs_billing": needs_billing,
            "is_invoiced": is_invoiced,
            **fields,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def make_service_via_api(
    http: httpx.Client,
    practice: Practice,
    client_id: str,
    billing_rate_id: str,
    service_date: str = "2026-03-02",
    external_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A biller pushes one service (POST /v1/services). Returns the service resource."""
    body = {
        "external_id": external_id or f"ext-{uuid.uuid4().hex[:12]}",
        "client_id": client_id,
        "billing_rate_id": billing_rate_id,
        "service_date": service_date,
        **fields,
    }
    r = http.post("/v1/services", headers=practice.biller, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def make_billable_services_via_api(
    http: httpx.Client, practice: Practice, count: int = 2, client_id: str | None = None, amount_cents: int = 12_000
) -> dict[str, Any]:
    """The usual start of an invoicing test: a client, a self-pay invoiced rate, `count` services on it.

    Returns {"client": ..., "rate": ..., "services": [...]}.
    """
    client = {"id": client_id} if client_id else make_client_via_api(http, practice)
    rate = make_rate_via_api(http, practice, amount_cents=amount_cents)
    services = [
        make_service_via_api(http, practice, client["id"], rate["id"], service_date=f"2026-03-{i + 1:02d}")
        for i in range(count)
    ]
    return {"client": client, "rate": rate, "services": services}


def make_rate(
    practice: PracticeRow,
    name: str = "General Service (Self-Pay)",
    amount_cents: int = 15_000,
    *,
    needs_billing: bool = True,
    is_invoiced: bool = True,
    payer: str = "self_pay",
) -> uuid.UUID:
    with session_scope() as session:
        rate = BillingRate(
            group_id=practice.group_id,
            name=name,
            amount_cents=amount_cents,
            needs_billing=needs_billing,
            is_invoiced=is_invoiced,
            payer=payer,
        )
        session.add(rate)
        session.flush()
        return rate.id


def make_service(
    practice: PracticeRow,
    client: ClientRow,
    rate_id: uuid.UUID,
    service_date: str = "2026-03-02",
    *,
    amount_cents: int | None = None,
    insurance_paid_cents: int = 0,
    description: str | None = None,
) -> uuid.UUID:
    with session_scope() as session:
        rate = session.get(BillingRate, rate_id)
        service = Service(
            group_id=practice.group_id,
            client_id=client.id,
            billing_rate_id=rate_id,
            external_id=f"ext-{uuid.uuid4().hex}",
            service_date=date.fromisoformat(service_date),
            description=description or rate.name,
            amount_cents=rate.amount_cents if amount_cents is None else amount_cents,
            amount_explicit=amount_cents is not None,
            description_explicit=description is not None,
            insurance_paid_cents=insurance_paid_cents,
        )
        session.add(service)
        session.flush()
        return service.id


def make_many_services(
    practice: PracticeRow, rate_id: uuid.UUID, *, clients: int, per_client: int, amount_cents: int = 10_000
) -> list[uuid.UUID]:
    """`clients` clients with `per_client` services each, in two bulk inserts."""
    client_rows = [
        {"id": uuid.uuid4(), "group_id": practice.group_id, "name": f"Client {i:05d}"} for i in range(clients)
    ]
    start = date(2026, 1, 1)
    service_rows = [
        {
            "id": uuid.uuid4(),
            "group_id": practice.group_id,
            "client_id": c["id"],
            "billing_rate_id": rate_id,
            "external_id": f"bulk-{uuid.uuid4().hex}",
            "service_date": start + timedelta(days=j),
            "description": "General Service (Self-Pay)",
            "amount_cents": amount_cents,
            "amount_explicit": False,
            "description_explicit": False,
            "insurance_paid_cents": 0,
        }
        for c in client_rows
        for j in range(per_client)
    ]
    with session_scope() as session:
        session.execute(insert(Client), client_rows)
        session.execute(insert(Service), service_rows)
    return [row["id"] for row in service_rows]


def service_state(service_ids: list[Any]) -> dict[str, tuple[str | None, str | None]]:
    """service id → (invoice_id, claimed_by_run_id), as strings."""
    ids = [uuid.UUID(str(i)) for i in service_ids]
    with session_scope() as session:
        rows = session.execute(
            select(Service.id, Service.invoice_id, Service.claimed_by_run_id).where(Service.id.in_(ids))
        ).all()
    return {
        str(r.id): (
            str(r.invoice_id) if r.invoice_id else None,
            str(r.claimed_by_run_id) if r.claimed_by_run_id else None,
        )
        for r in rows
    }
