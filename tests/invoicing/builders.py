"""Rows the invoicing and portal tests start from, written straight to the database.

Setup, not the thing under test: practices, staff and client logins, billing rates and
services go in through a session; what the tests are about goes over HTTP.
"""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import func, insert, select

from shared.auth.service import issue_access_token
from shared.billing.models import BillingRate, Service
from shared.clients.models import Client
from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.invoicing.models import Invoice, InvoicingRun
from shared.security.passwords import hash_password
from shared.users.models import User
from tests.conftest import poll_until
from tests.factories import auth

PASSWORD = "builder-password-1"
_serial = itertools.count(1)
# One hash for every user the builders make: argon2 is slow on purpose, tests need not be.
_PASSWORD_HASH = hash_password(PASSWORD)


@dataclass
class Practice:
    id: uuid.UUID
    name: str
    currency: str
    biller: dict[str, str]  # request headers of a signed-in biller
    admin: dict[str, str]


@dataclass
class ClientRow:
    id: uuid.UUID
    name: str
    portal: dict[str, str] | None = None  # request headers of the client signed in to the portal


def _login(http: httpx.Client, group_id: uuid.UUID | None, role: str, client_id: uuid.UUID | None = None) -> dict:
    """A user of `role` with a bearer token issued directly (signing in over HTTP is tested elsewhere)."""
    email = f"{role}-{next(_serial)}-{uuid.uuid4().hex[:6]}@builders.example"
    with session_scope() as session:
        user = User(group_id=group_id, email=email, password_hash=_PASSWORD_HASH, role=role, client_id=client_id)
        session.add(user)
        session.flush()
        token, _ = issue_access_token(session, user)
    return auth(token)


def make_practice(
    http: httpx.Client,
    name: str = "Calm Therapy",
    currency: str = "USD",
    prefix: str = "INV-",
    stripe_connected: bool = False,
) -> Practice:
    with session_scope() as session:
        group = Group(
            name=name,
            currency=currency,
            timezone="America/New_York",
            invoice_prefix=prefix,
            allow_partial_payments=False,
            minimum_payment_cents=0,
            stripe_secret_key_encrypted=b"not-a-real-key" if stripe_connected else None,
        )
        session.add(group)
        session.flush()
        session.add(InvoiceSequence(group_id=group.id, next_number=1))
        group_id = group.id
    return Practice(
        group_id, name, currency, biller=_login(http, group_id, "biller"), admin=_login(http, group_id, "admin")
    )


def make_client(practice: Practice, name: str, http: httpx.Client | None = None) -> ClientRow:
    """A client; with `http`, also a portal login for them."""
    with session_scope() as session:
        client = Client(group_id=practice.id, name=name, email=f"{uuid.uuid4().hex[:8]}@clients.example")
        session.add(client)
        session.flush()
        client_id = client.id
    portal = _login(http, practice.id, "client", client_id) if http is not None else None
    return ClientRow(client_id, name, portal)


def make_rate(
    practice: Practice,
    name: str = "General Service (Self-Pay)",
    amount_cents: int = 15_000,
    *,
    needs_billing: bool = True,
    is_invoiced: bool = True,
    payer: str = "self_pay",
) -> uuid.UUID:
    with session_scope() as session:
        rate = BillingRate(
            group_id=practice.id,
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
    practice: Practice,
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
            group_id=practice.id,
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
    practice: Practice, rate_id: uuid.UUID, *, clients: int, per_client: int, amount_cents: int = 10_000
) -> list[uuid.UUID]:
    """`clients` clients with `per_client` services each, in two bulk inserts."""
    client_rows = [{"id": uuid.uuid4(), "group_id": practice.id, "name": f"Client {i:05d}"} for i in range(clients)]
    start = date(2026, 1, 1)
    service_rows = [
        {
            "id": uuid.uuid4(),
            "group_id": practice.id,
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


def date_of(value: str) -> date:
    return date.fromisoformat(value)


def pdf_text(content: bytes) -> str:
    """The text a reader of the PDF sees."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- what the tests read back, straight from the database ---


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


def run_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(InvoicingRun))


def invoice_sequences(group_id: uuid.UUID) -> list[int]:
    with session_scope() as session:
        return sorted(session.scalars(select(Invoice.sequence).where(Invoice.group_id == group_id)))


# --- the biller's actions over HTTP ---


def start_run(
    http: httpx.Client, practice: Practice, service_ids: list[Any], invoiced_date: str = "2026-04-01"
) -> httpx.Response:
    return http.post(
        "/v1/invoicing/runs",
        headers=practice.biller,
        json={"service_ids": [str(i) for i in service_ids], "invoiced_date": invoiced_date},
    )


def wait_for_run(http: httpx.Client, practice: Practice, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        run = http.get(f"/v1/invoicing/runs/{run_id}", headers=practice.biller).json()
        return run if run["status"] in ("succeeded", "failed") else None

    return poll_until(finished, timeout=timeout, interval=0.1, message=f"invoicing run {run_id} to finish")


def invoice(http: httpx.Client, practice: Practice, services: list[Any], invoiced_date: str = "2026-04-01") -> dict:
    """Run invoicing on `services` and wait for it to succeed. Returns the finished run."""
    r = start_run(http, practice, services, invoiced_date)
    assert r.status_code == 202, r.text
    run = wait_for_run(http, practice, r.json()["id"])
    assert run["status"] == "succeeded", run
    return run
