"""Practices (groups): `make_practice_via_api` has an operator create one over HTTP, as the product does;
`make_practice` writes the group row straight to the database, for tests about something else."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

import httpx

from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.security.secrets import encrypt_secret
from shared.users.repository import find_user_by_email
from tests.factories.users import STAFF_PASSWORD, auth, issue_token, make_staff_user, operator_token, signed_in
from tests.stripe_events import new_webhook_secret

_serial = itertools.count(1)


@dataclass
class Practice:
    """A group made by an operator over HTTP, with one admin and one biller signed in (ids are strings)."""

    group_id: str
    name: str
    currency: str
    admin_email: str
    biller_email: str
    admin_token: str
    biller_token: str
    operator_token: str
    password: str = STAFF_PASSWORD

    @property
    def admin(self) -> dict[str, str]:
        """Headers for the practice's admin."""
        return auth(self.admin_token)

    @property
    def biller(self) -> dict[str, str]:
        """Headers for the practice's biller."""
        return auth(self.biller_token)

    @property
    def operator(self) -> dict[str, str]:
        return auth(self.operator_token)


def signup_body(
    name: str,
    admin_email: str,
    *,
    admin_password: str = STAFF_PASSWORD,
    currency: str = "USD",
    timezone: str = "America/New_York",
) -> dict[str, str]:
    """The body of POST /v1/groups: an operator creates a practice and its first admin."""
    return {
        "name": name,
        "currency": currency,
        "timezone": timezone,
        "admin_email": admin_email,
        "admin_password": admin_password,
    }


# The practice the sign-up tests create by hand (a lower-case currency is stored as USD).
CALM_THERAPY_SIGNUP = signup_body(
    "Calm Therapy", "admin@calm.example", admin_password="admin-password-1", currency="usd", timezone="America/Chicago"
)


def make_practice_via_api(
    http: httpx.Client, name: str | None = None, currency: str = "USD", timezone: str = "America/New_York"
) -> Practice:
    """An operator creates a practice over HTTP (POST /v1/groups); it gets a biller (written to the
    database); both staff get tokens.

    Call it twice in one test for two practices: emails are unique per call.
    """
    n = next(_serial)
    slug = f"p{n}-{uuid.uuid4().hex[:6]}"
    name = name or f"Practice {n}"
    ops = operator_token(http)
    admin_email = f"admin@{slug}.example"
    r = http.post(
        "/v1/groups",
        headers=auth(ops),
        json=signup_body(name, admin_email, currency=currency, timezone=timezone),
    )
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]
    biller_email = f"biller@{slug}.example"
    biller_id = make_staff_user(group_id, biller_email, "biller")
    with session_scope() as session:
        admin_id = str(find_user_by_email(session, admin_email).id)
    return Practice(
        group_id=group_id,
        name=name,
        currency=currency.upper(),
        admin_email=admin_email,
        biller_email=biller_email,
        admin_token=issue_token(admin_id),
        biller_token=issue_token(biller_id),
        operator_token=ops,
    )


@dataclass(frozen=True)
class PracticeRow:
    """A group written straight to the database (`group_id` is a UUID)."""

    group_id: uuid.UUID
    name: str
    currency: str
    webhook_secret: str | None = None
    biller: dict[str, str] | None = None  # request headers of a signed-in biller (staff=True)
    admin: dict[str, str] | None = None  # request headers of a signed-in admin (staff=True)


def make_practice(
    *,
    name: str = "Calm Therapy",
    currency: str = "USD",
    prefix: str = "INV-",
    staff: bool = False,
    with_webhook_secret: bool = False,
    stripe_secret_key: str | None = None,
    stripe_api_base: str | None = None,
) -> PracticeRow:
    """A practice written straight to the database, with its invoice numbering.

    staff: also a biller and an admin, signed in (`.biller`, `.admin` headers).
    with_webhook_secret: a new Stripe webhook secret, stored encrypted (`.webhook_secret`) so
    signed deliveries to the practice's webhook address are accepted.
    stripe_secret_key, stripe_api_base: the practice's Stripe key (encrypted) and its own Stripe.
    """
    secret = new_webhook_secret() if with_webhook_secret else None
    with session_scope() as session:
        group = Group(
            name=name,
            currency=currency,
            timezone="America/New_York",
            invoice_prefix=prefix,
            allow_partial_payments=False,
            minimum_payment_cents=0,
            stripe_webhook_secret_encrypted=encrypt_secret(secret) if secret else None,
            stripe_secret_key_encrypted=encrypt_secret(stripe_secret_key) if stripe_secret_key else None,
            stripe_secret_key_last4=stripe_secret_key[-4:] if stripe_secret_key else None,
            stripe_api_base=stripe_api_base,
        )
        session.add(group)
        session.flush()
        session.add(InvoiceSequence(group_id=group.id, next_number=1))
        group_id = group.id
    if not staff:
        return PracticeRow(group_id, name, currency, secret)
    return PracticeRow(
        group_id, name, currency, secret, biller=signed_in(group_id, "biller"), admin=signed_in(group_id, "admin")
    )
