"""Rows the card-payment tests stand on: invoices written straight to the database (invoicing is not
what these tests are about), and a practice connected to a Stripe stand-in over HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import func, select

from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.invoicing.models import Invoice, InvoiceLine
from shared.payments.models import Payment
from tests.factories import Practice, give_portal_access, make_client, make_practice


@dataclass
class StripeKeys:
    secret_key: str
    publishable_key: str
    webhook_secret: str


def new_keys() -> StripeKeys:
    tag = uuid.uuid4().hex[:16]
    return StripeKeys(f"sk_test_{tag}", f"pk_test_{tag}", f"whsec_{tag}")


def connect_stripe(http: httpx.Client, practice: Practice, api_base: str, keys: StripeKeys | None = None) -> StripeKeys:
    """The admin enters the practice's keys (api_base: the practice's own stand-in, allowed outside production)."""
    keys = keys or new_keys()
    r = http.put(
        "/v1/settings/stripe",
        headers=practice.admin,
        json={
            "secret_key": keys.secret_key,
            "publishable_key": keys.publishable_key,
            "webhook_secret": keys.webhook_secret,
            "api_base": api_base,
        },
    )
    assert r.status_code == 200, r.text
    return keys


@dataclass
class PayingClient:
    """A client with a portal login, in a practice that takes cards."""

    practice: Practice
    keys: StripeKeys
    client_id: str
    token: str
    name: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_paying_client(
    http: httpx.Client, api_base: str, practice: Practice | None = None, name: str = "Robin Client"
) -> PayingClient:
    practice = practice or make_practice(http)
    keys = connect_stripe(http, practice, api_base)
    email = f"robin-{uuid.uuid4().hex[:8]}@example.com"
    client = make_client(http, practice, name=name, email=email)
    token = give_portal_access(http, practice, client["id"])
    return PayingClient(practice, keys, client["id"], token, name, email)


def make_invoice(group_id: str, client_id: str, total_cents: int = 12_000) -> str:
    """An open invoice with one line, numbered like an invoicing run numbers it. Returns its id."""
    with session_scope() as session:
        gid = uuid.UUID(group_id)
        group = session.get(Group, gid)
        sequence = session.scalar(select(InvoiceSequence).where(InvoiceSequence.group_id == gid).with_for_update())
        number = sequence.next_number
        sequence.next_number += 1
        invoice = Invoice(
            group_id=gid,
            client_id=uuid.UUID(client_id),
            sequence=number,
            number=f"{group.invoice_prefix}{number:06d}",
            invoiced_date=date(2026, 3, 31),
            currency=group.currency,
            total_cents=total_cents,
            paid_cents=0,
            balance_cents=total_cents,
            overpaid_cents=0,
            status="open",
            disputed=False,
            ledger_version=1,
        )
        session.add(invoice)
        session.flush()
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                position=1,
                service_date=date(2026, 3, 2),
                description="Individual session (self-pay)",
                amount_cents=total_cents,
                insurance_paid_cents=0,
                client_part_cents=total_cents,
            )
        )
        return str(invoice.id)


def set_partial_payments(group_id: str, allow: bool, minimum_cents: int = 0) -> None:
    with session_scope() as session:
        group = session.get(Group, uuid.UUID(group_id))
        group.allow_partial_payments = allow
        group.minimum_payment_cents = minimum_cents


def card_payments_of(invoice_id: str) -> list[Payment]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(Payment)
                .where(Payment.invoice_id == uuid.UUID(invoice_id), Payment.method == "card")
                .order_by(Payment.created_at)
            )
        )


def count_payments(invoice_id: str, status: str) -> int:
    with session_scope() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.invoice_id == uuid.UUID(invoice_id), Payment.status == status)
            )
        )
