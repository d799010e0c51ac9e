"""The demo practice `make run` shows: a few logins, rates, clients and services to click through.

Idempotent: running it again creates only what is missing, restores the documented
demo passwords, and makes the demo's webhook endpoint again when the Stripe stand-in no
longer knows it (the stand-in keeps everything in memory, so every start of the dev stack
forgets it, while PostgreSQL remembers the endpoint). The demo connects the way an admin
does — two keys, and clinicpay creates its own endpoint (shared.stripe_sync.connection).
Rows are written directly with the models so the demo does not depend on every
domain service being present. Development only: it refuses to run in production.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import shared.db.models  # noqa: F401  (every mapper, so foreign keys resolve on flush)
from shared.actor import SYSTEM, Actor
from shared.audit.service import record
from shared.billing import service as billing_service
from shared.billing.models import BillingRate
from shared.billing.push import push_services
from shared.billing.repository import BillingRateRepository, ServiceRepository
from shared.billing.schemas import RateCreate, ServiceIn, ServicePaymentIn
from shared.clients import service as client_service
from shared.clients.models import Client
from shared.clients.repository import ClientRepository
from shared.clients.schemas import ClientCreate, ClientPatch
from shared.config import app_settings, stripe_settings
from shared.db.engine import session_scope
from shared.groups.models import Group, InvoiceSequence
from shared.security.passwords import hash_password, verify_password
from shared.stripe_sync import connection
from shared.stripe_sync.gateway import StripeUnavailable
from shared.stripe_sync.schemas import StripeConnectionIn
from shared.users.models import User

# Fixed, documented, development-only credentials (README "Demo logins"). Shown on a terminal
# only: like any password, never written into a log file.
DEMO_PASSWORD = "clinicpay-demo"
OPERATOR_EMAIL = "operator@clinicpay.example"
GROUP_NAME = "Demo Therapy Practice"
ADMIN_EMAIL = "admin@demo.clinicpay.example"
BILLER_EMAIL = "biller@demo.clinicpay.example"
CLIENTS = (
    ("demo-client-1", "Avery Client", "client1@demo.clinicpay.example"),
    ("demo-client-2", "Jordan Client", "client2@demo.clinicpay.example"),
)
# Earlier versions of the demo used these addresses, in the special-use ".test" domain that the
# product's own email rule refuses. A development database seeded then has its demo logins and
# clients moved to the addresses above, so seed-demo finds its practice again (rather than making a
# second one beside it) and holds no address the product would refuse.
FORMER_ADDRESSES = {
    address.replace(".example", ".test"): address
    for address in (OPERATOR_EMAIL, ADMIN_EMAIL, BILLER_EMAIL, *(email for _, _, email in CLIENTS))
}
# Test-mode keys localstripe accepts (any sk_ key); never valid at Stripe.
STRIPE_SECRET_KEY = "sk_test_demo_clinicpay_local"
STRIPE_PUBLISHABLE_KEY = "pk_test_demo_clinicpay_local"

RATE_NAME = "General Service"
SELF_PAY_RATE_NAME = "General Service (Self-Pay)"
RATE_AMOUNT_CENTS = 15000


class DemoSetupError(RuntimeError):
    """The demo cannot be set up here (production, or localstripe unreachable)."""


@dataclass
class DemoSummary:
    group_id: uuid.UUID
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    webhook_url: str | None = None

    def render(self, *, show_password: bool) -> str:
        lines = [f"demo practice {GROUP_NAME!r} (group {self.group_id})"]
        lines.append("created: " + (", ".join(self.created) if self.created else "nothing new"))
        if self.webhook_url:
            lines.append(f"stripe: connected to localstripe, webhook {self.webhook_url}")
        else:
            lines.append("stripe: not connected (CLINICPAY_STRIPE_API_BASE is not set)")
        lines.append(
            f"logins (password {DEMO_PASSWORD!r}):"
            if show_password
            else "logins (password: README, 'Demo logins'; shown only on a terminal):"
        )
        lines += [f"  {role:<8} {email}" for role, email in self.logins]
        return "\n".join(lines)


def demo_logins() -> list[tuple[str, str]]:
    return [
        ("operator", OPERATOR_EMAIL),
        ("admin", ADMIN_EMAIL),
        ("biller", BILLER_EMAIL),
        *(("client", email) for _, _, email in CLIENTS),
    ]


def seed_demo() -> DemoSummary:
    settings = app_settings()
    if settings.is_production:
        raise DemoSetupError("seed-demo creates accounts with published passwords; it never runs in production")
    api_base = stripe_settings().api_base
    with session_scope() as session:
        # Inside the transaction: if the stand-in is unreachable nothing is half-seeded.
        summary = _seed(session, connect_stripe=api_base is not None)
    summary.logins = demo_logins()
    return summary


def _seed(session: Session, *, connect_stripe: bool) -> DemoSummary:
    created: list[str] = []
    _move_former_addresses(session, created)
    _ensure_user(session, OPERATOR_EMAIL, "operator", None, None, created)
    group = _ensure_group(session, created)
    actor = Actor(kind="system", group_id=group.id)
    _ensure_user(session, ADMIN_EMAIL, "admin", group.id, None, created)
    _ensure_user(session, BILLER_EMAIL, "biller", group.id, None, created)
    insurance_rate, self_pay_rate = _ensure_rates(session, actor, created)
    clients = [_ensure_client(session, actor, ext, name, email, created) for ext, name, email in CLIENTS]
    _ensure_services(session, actor, clients, insurance_rate, self_pay_rate, created)
    webhook = None
    if connect_stripe:
        webhook = _connect_stripe(session, actor, group, created)
    if created:
        record(session, actor, "demo.seeded", "group", group.id, data={"created": created})
    session.flush()
    return DemoSummary(group_id=group.id, created=created, webhook_url=webhook)


def _move_former_addresses(session: Session, created: list[str]) -> None:
    """The former demo logins, to their addresses now (the demo clients' own emails: `_ensure_client`)."""
    for former, address in FORMER_ADDRESSES.items():
        user = _find_user(session, former)
        if user is not None and _find_user(session, address) is None:
            user.email = address
            record(
                session,
                Actor(kind="system", group_id=user.group_id),
                "user.email_changed",
                "user",
                user.id,
                data={"source": "demo"},
            )
            created.append(f"login {former} is now {address}")


def _find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _ensure_user(
    session: Session, email: str, role: str, group_id: uuid.UUID | None, client_id: uuid.UUID | None, created: list[str]
) -> User:
    user = _find_user(session, email)
    actor = Actor(kind="system", group_id=group_id)
    if user is None:
        user = User(
            group_id=group_id,
            email=email,
            password_hash=hash_password(DEMO_PASSWORD),
            role=role,
            client_id=client_id,
            is_active=True,
        )
        session.add(user)
        session.flush()
        record(session, actor, "user.created", "user", user.id, data={"role": role, "source": "demo"})
        created.append(f"{role} login {email}")
    elif (
        not user.is_active
        or user.role != role
        or user.totp_secret_encrypted is not None
        or not verify_password(user.password_hash, DEMO_PASSWORD)
    ):
        # The banner promises these logins work; put them back the way the README says (password
        # alone, no second factor, the documented role).
        user.password_hash = hash_password(DEMO_PASSWORD)
        user.is_active = True
        user.role = role
        user.totp_secret_encrypted = user.totp_enabled_at = user.totp_last_timecode = None
        record(session, actor, "user.password_reset", "user", user.id, data={"source": "demo"})
        created.append(f"password reset for {email}")
    return user


def _ensure_group(session: Session, created: list[str]) -> Group:
    admin = _find_user(session, ADMIN_EMAIL)
    group = session.get(Group, admin.group_id) if admin is not None and admin.group_id else None
    if group is not None:
        return group
    group = Group(
        name=GROUP_NAME,
        currency="USD",
        timezone="America/New_York",
        invoice_prefix="INV-",
        allow_partial_payments=True,
        minimum_payment_cents=0,
        ach_debit_enabled=True,
        # A letterhead for the demo's invoice PDFs (the NPI is CMS's published example number).
        address_lines=["100 Main Street, Suite 200", "Springfield, IL 62701"],
        phone="+1 (555) 010-0199",
        tax_id="12-3456789",
        npi="1234567893",
    )
    session.add(group)
    session.flush()
    session.add(InvoiceSequence(group_id=group.id, next_number=1))
    record(
        session,
        SYSTEM,
        "group.created",
        "group",
        group.id,
        group_id=group.id,
        data={"name": group.name, "source": "demo"},
    )
    created.append(f"group {GROUP_NAME!r}")
    return group


def _ensure_rates(session: Session, actor: Actor, created: list[str]) -> tuple[BillingRate, BillingRate]:
    """The insurance rate and its self-pay copy, made as a biller makes them (billing's own rules and audit)."""
    rates = BillingRateRepository.from_session(session)
    insurance = session.scalar(rates.scoped(actor).where(BillingRate.name == RATE_NAME))
    if insurance is None:
        asked = RateCreate(
            name=RATE_NAME, amount_cents=RATE_AMOUNT_CENTS, payer="insurance", needs_billing=True, is_invoiced=False
        )
        insurance = billing_service.create_rate(session, actor, asked)
        created.append(f"rate {RATE_NAME!r}")
    self_pay, made_now = billing_service.self_pay_copy(session, actor, str(insurance.id))
    if made_now:
        created.append(f"rate {self_pay.name!r}")
    return insurance, self_pay


def _ensure_client(
    session: Session, actor: Actor, external_id: str, name: str, email: str, created: list[str]
) -> Client:
    client = ClientRepository.from_session(session).find_by_external_id(actor, external_id)
    if client is None:
        client = client_service.create_client(
            session, actor, ClientCreate(name=name, email=email, external_id=external_id)
        )
        created.append(f"client {name!r}")
    elif client.email in FORMER_ADDRESSES:
        client = client_service.update_client(session, actor, str(client.id), ClientPatch(email=email))
        created.append(f"client {name!r}'s email is now {email}")
    _ensure_user(session, email, "client", actor.group_id, client.id, created)
    return client


def _ensure_services(
    session: Session,
    actor: Actor,
    clients: list[Client],
    insurance: BillingRate,
    self_pay: BillingRate,
    created: list[str],
) -> None:
    """The demo's services, pushed as the practice system pushes them; one has insurance paid before invoicing."""
    first, second = clients
    today = date.today()
    # (external id, client, rate, days ago, description, insurance paid before invoicing)
    plan = [
        ("demo-svc-1", first, self_pay, 21, "Individual session", 0),
        ("demo-svc-2", first, self_pay, 14, "Individual session", 0),
        ("demo-svc-3", first, insurance, 7, "Individual session", 0),
        ("demo-svc-4", second, self_pay, 10, "Family session", 9000),
        ("demo-svc-5", second, insurance, 3, "Individual session", 0),
    ]
    existing = ServiceRepository.from_session(session).by_external_ids(actor, [row[0] for row in plan])
    missing = [row for row in plan if row[0] not in existing]
    if not missing:
        return
    items = [
        ServiceIn(
            external_id=external_id,
            client_id=str(client.id),
            billing_rate_id=str(rate.id),
            service_date=today - timedelta(days=days_ago),
            description=description,
        )
        for external_id, client, rate, days_ago, description, _ in missing
    ]
    pushed = push_services(session, actor, items, bulk=True)
    for service, (external_id, _, _, _, _, insurance_paid) in zip(pushed.services, missing, strict=True):
        if insurance_paid:
            eob = ServicePaymentIn(
                amount_cents=insurance_paid, received_date=service.service_date, reference="DEMO-EOB-1"
            )
            billing_service.record_insurance_payment(session, actor, str(service.id), eob)
        created.append(f"service {external_id}")


def _connect_stripe(session: Session, actor: Actor, group: Group, created: list[str]) -> str:
    """Connect with the demo's two keys as an admin would; on a later run, make the webhook endpoint
    again if the stand-in forgot it. Returns the webhook URL."""
    try:
        if group.stripe_secret_key_encrypted is None:
            connection.connect(
                session,
                actor,
                StripeConnectionIn(secret_key=STRIPE_SECRET_KEY, publishable_key=STRIPE_PUBLISHABLE_KEY),
            )
            created.append("stripe connection")
        else:
            before = group.stripe_webhook_endpoint_id
            connection.refresh_webhook_endpoint(session, actor, group.id)
            if group.stripe_webhook_endpoint_id != before:
                created.append("stripe webhook endpoint")
    except StripeUnavailable as exc:
        raise DemoSetupError(
            f"could not reach the Stripe stand-in at {stripe_settings().api_base}: is it running?"
        ) from exc
    if group.stripe_webhook_problem:
        raise DemoSetupError(
            f"the Stripe stand-in refused the demo's webhook endpoint ({group.stripe_webhook_problem})"
        )
    return connection.webhook_url(group.id)
