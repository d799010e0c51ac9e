"""Writing messages: one function per cause, each called inside the cause's own transaction.

Each writes rows (never commits) and asks for delivery after COMMIT (shared/tasks/enqueue.py): a
rollback drops both, and a lost task is picked up by the beat sweeper. Every row is unique per
cause (its dedupe key), so a duplicated Stripe event or a retried task writes nothing new.
Clients without an email address get a row too, `skipped`, as the record that nothing was sent.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clients.models import Client
from shared.config import app_settings, smtp_settings
from shared.groups.models import Group
from shared.ledger.currency import format_money
from shared.logging import get_logger
from shared.outbox.repository import OutboxRepository
from shared.outbox.schemas import build_facts
from shared.security.secrets import encrypt_secret
from shared.tasks import names
from shared.tasks.enqueue import enqueue_after_commit

log = get_logger(__name__)

# Messages per delivery task: one SMTP connection carries a batch.
BATCH_SIZE = 50
# Who a message about a sign-in of no practice (an operator's, or an unknown address) is from.
PLATFORM_NAME = "clinicpay"

_METHODS = {
    "card": "Card",
    "cash": "Cash",
    "check": "Check",
    "external": "Other",
    "insurance": "Insurance",
}
_STRIPE_METHODS = {"card": "Card", "link": "Card (Link)", "us_bank_account": "Bank account (ACH)"}

_ALERT_TITLES = {
    "overpayment": "An invoice was overpaid",
    "payment_intent_mismatch": "A card payment does not match its invoice",
    "ach_payment_failed": "A bank payment failed",
    "refund_failed": "A refund failed",
    "dispute_needs_response": "A payment was disputed",
    "stripe_event_failing": "A Stripe event keeps failing",
    "reconciliation_mismatch": "Reconciliation found a mismatch",
    "email_undeliverable": "An email could not be delivered",
}


@dataclass(frozen=True)
class Recipient:
    address: str | None
    greeting_name: str | None


def first_name(full_name: str | None) -> str | None:
    """The client's first name only: the greeting needs no more."""
    parts = (full_name or "").split()
    return parts[0] if parts else None


def new_message_id() -> str:
    domain = smtp_settings().sender.rpartition("@")[2].strip("> ") or "clinicpay.localhost"
    # From os.urandom, not email.utils.make_msgid: that draws from the `random` module, which a caller
    # may have seeded (Hypothesis does, per example), so two messages in one 10 ms could share an id.
    return f"<{uuid.uuid4().hex}.clinicpay@{domain}>"


def format_day(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def local_day(moment: datetime | None, timezone: str) -> str:
    moment = moment or datetime.now(UTC)
    return format_day(moment.astimezone(zoneinfo.ZoneInfo(timezone)).date())


def portal_invoice_link(invoice_id: uuid.UUID) -> str:
    # The portal's invoice page. An invoice email's link is replaced, as it is sent, by a pay link
    # minted then (shared/paylinks/service.py): this one is what the row keeps.
    return f"{app_settings().public_portal_url}#/billing/{invoice_id}"


def staff_link(invoice_id: uuid.UUID | None) -> str:
    base = app_settings().public_portal_url
    return f"{base}#/invoices/{invoice_id}" if invoice_id else base


def _common(group: Group | None, recipient: Recipient, link: str) -> dict[str, Any]:
    return {
        "practice_name": group.name if group else PLATFORM_NAME,
        "reply_to": group.reply_to_email if group else None,
        "greeting_name": recipient.greeting_name,
        "link": link,
    }


def _asking_to_pay(
    group: Group, recipient: Recipient, invoice_id: uuid.UUID, number: str, owed_cents: int, currency: str, due: date
) -> dict[str, Any]:
    """What every email that asks for money says: the invoice, what is owed and by when, and its link."""
    return {
        **_common(group, recipient, portal_invoice_link(invoice_id)),
        "invoice_number": number,
        "amount_due": format_money(owed_cents, currency),
        "due_on": format_day(due),
    }


def _row(
    group: Group | None,
    kind: str,
    dedupe_key: str,
    recipient: Recipient,
    facts: dict[str, Any],
    invoice_id: uuid.UUID | None,
) -> dict[str, Any]:
    address = (recipient.address or "").strip() or None
    return {
        "id": uuid.uuid4(),
        "group_id": group.id if group else None,
        "kind": kind,
        "channel": "email",
        "dedupe_key": dedupe_key,
        "invoice_id": invoice_id,
        "to_address": address,
        "message_id": new_message_id(),
        "facts": facts,
        "status": "pending" if address else "skipped",
        "skip_reason": None if address else "no_email_address",
    }


def write_messages(session: Session, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert the new rows and send their delivery after COMMIT. Returns the ids of new pending rows."""
    inserted = OutboxRepository.from_session(session).insert_once(list(rows))
    pending = [message_id for message_id, status in inserted if status == "pending"]
    for start in range(0, len(pending), BATCH_SIZE):
        enqueue_after_commit(names.SEND_EMAILS, [str(i) for i in pending[start : start + BATCH_SIZE]])
    skipped = len(inserted) - len(pending)
    if skipped:
        log.info("outbox_messages_skipped", count=skipped, reason="no_email_address")
    return pending


# --- the causes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvoice:
    invoice_id: uuid.UUID
    number: str
    total_cents: int
    invoiced_date: date
    due_date: date
    client_name: str
    client_email: str | None


def invoices_issued(session: Session, group: Group, issued: Iterable[IssuedInvoice]) -> None:
    """An invoicing run issued these invoices: each client gets one email (none for nothing owed)."""
    rows = []
    for invoice in issued:
        if invoice.total_cents <= 0:
            continue  # insurance covered it all: the invoice is settled as issued, nothing to ask for
        recipient = Recipient(invoice.client_email, first_name(invoice.client_name))
        owed = (invoice.invoice_id, invoice.number, invoice.total_cents, group.currency, invoice.due_date)
        facts = build_facts(
            "invoice_issued", **_asking_to_pay(group, recipient, *owed), invoiced_on=format_day(invoice.invoiced_date)
        )
        rows.append(
            _row(group, "invoice_issued", f"invoice_issued:{invoice.invoice_id}", recipient, facts, invoice.invoice_id)
        )
    write_messages(session, rows)


def pay_link_requested(session: Session, invoice: Any, dedupe_key: str) -> bool:
    """A new pay link for an invoice, to the client's address on file (the link itself is minted as the
    message is sent: shared/paylinks/service.py). True when a message was written (not a duplicate)."""
    group = session.get(Group, invoice.group_id)
    recipient = _client_of(session, invoice)
    owed = (invoice.id, invoice.number, invoice.balance_cents, invoice.currency, invoice.due_date)
    facts = build_facts("pay_link", **_asking_to_pay(group, recipient, *owed))
    return bool(write_messages(session, [_row(group, "pay_link", dedupe_key, recipient, facts, invoice.id)]))


@dataclass(frozen=True)
class DueReminder:
    invoice_id: uuid.UUID
    number: str
    balance_cents: int
    currency: str
    due_date: date
    dedupe_key: str  # one message per (invoice, step): shared/reminders/schedule.py
    due_words: str  # when it is (or was) due, from the day it is written: "is due in 3 days"
    client_name: str
    client_email: str | None


def reminders_due(session: Session, group: Group, reminders: Iterable[DueReminder]) -> int:
    """The schedule's step came for these invoices (shared/reminders/service.py): one reminder each,
    unique per (invoice, step). Returns how many were new."""
    rows = []
    for reminder in reminders:
        recipient = Recipient(reminder.client_email, first_name(reminder.client_name))
        owed = (reminder.invoice_id, reminder.number, reminder.balance_cents, reminder.currency, reminder.due_date)
        facts = build_facts("reminder", **_asking_to_pay(group, recipient, *owed), due_words=reminder.due_words)
        rows.append(_row(group, "reminder", reminder.dedupe_key, recipient, facts, reminder.invoice_id))
    return len(write_messages(session, rows))


def _client_of(session: Session, invoice: Any) -> Recipient:
    """The invoice's client, as an email's recipient."""
    client = session.execute(
        select(Client.name, Client.email).where(Client.group_id == invoice.group_id, Client.id == invoice.client_id)
    ).one_or_none()
    return Recipient(client.email, first_name(client.name)) if client else Recipient(None, None)


def _method(payment: Any) -> str:
    if payment.stripe_payment_method_type in _STRIPE_METHODS:
        return _STRIPE_METHODS[payment.stripe_payment_method_type]
    return _METHODS.get(payment.method, "Other")


def payment_changed(session: Session, invoice: Any, payment: Any) -> None:
    """A payment reached a state the client hears about: `succeeded` (a receipt: card, ACH or a payment
    staff recorded) or `failed` (a card declined, a bank debit returned). Other states send nothing."""
    if payment.status not in ("succeeded", "failed"):
        return
    group = session.get(Group, invoice.group_id)
    recipient = _client_of(session, invoice)
    common = _common(group, recipient, portal_invoice_link(invoice.id))
    amount = format_money(payment.amount_cents, payment.currency or group.currency)
    if payment.status == "succeeded":
        received = payment.received_date
        facts = build_facts(
            "payment_receipt",
            **common,
            invoice_number=invoice.number,
            amount=amount,
            method=_method(payment),
            received_on=format_day(received) if received else local_day(None, group.timezone),
            balance_due=format_money(invoice.balance_cents, group.currency),
        )
        row = _row(group, "payment_receipt", f"payment_receipt:{payment.id}", recipient, facts, invoice.id)
    else:
        facts = build_facts(
            "payment_failed", **common, invoice_number=invoice.number, amount=amount, method=_method(payment)
        )
        row = _row(group, "payment_failed", f"payment_failed:{payment.id}", recipient, facts, invoice.id)
    write_messages(session, [row])


def refund_changed(session: Session, invoice: Any, refund: Any) -> None:
    """A refund succeeded: the client gets a receipt for the money coming back."""
    if refund.status != "succeeded":
        return
    group = session.get(Group, invoice.group_id)
    recipient = _client_of(session, invoice)
    facts = build_facts(
        "refund_receipt",
        **_common(group, recipient, portal_invoice_link(invoice.id)),
        invoice_number=invoice.number,
        amount=format_money(refund.amount_cents, group.currency),
        refunded_on=local_day(None, group.timezone),
    )
    write_messages(
        session, [_row(group, "refund_receipt", f"refund_receipt:{refund.id}", recipient, facts, invoice.id)]
    )


def alert_raised(
    session: Session,
    *,
    alert_id: uuid.UUID,
    group_id: uuid.UUID,
    kind: str,
    message: str,
    invoice_id: uuid.UUID | None,
    data: dict[str, Any] | None,
) -> None:
    """A staff alert: each active admin and biller of the practice gets an email."""
    from shared.ledger.invoices import Invoice
    from shared.users.models import STAFF_ROLES, User

    if kind == "email_undeliverable" and (data or {}).get("message_kind") == "staff_alert":
        # A staff address that refuses mail would otherwise raise an alert emailed to it, refused again…
        return
    group = session.get(Group, group_id)
    number = session.scalar(select(Invoice.number).where(Invoice.id == invoice_id)) if invoice_id else None
    staff = session.execute(
        select(User.id, User.email).where(User.group_id == group_id, User.role.in_(STAFF_ROLES), User.is_active)
    ).all()
    rows = []
    for user in staff:
        recipient = Recipient(user.email, None)
        facts = build_facts(
            "staff_alert",
            **_common(group, recipient, staff_link(invoice_id)),
            alert_title=_ALERT_TITLES.get(kind, "Something needs your attention"),
            alert_message=message,
            invoice_number=number,
        )
        facts.pop("reply_to", None)  # staff answer clinicpay's alerts in the console, not by email
        rows.append(_row(group, "staff_alert", f"staff_alert:{alert_id}:{user.id}", recipient, facts, invoice_id))
    write_messages(session, rows)


# --- sign-ins (shared/accounts/service.py) ----------------------------------------------------------
# The token of a single-use link is stored encrypted in the row (rendering puts it back into the link);
# the account_tokens row keeps only its digest.


def _invited_as(role: str) -> str:
    return "to see and pay your bills online" if role == "client" else f"to join the practice's team as {_a(role)}"


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours, minutes = divmod(seconds // 60, 60)
    if minutes == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds // 60} minutes"


def _portal(fragment: str = "") -> str:
    return f"{app_settings().public_portal_url}{fragment}"


def invitation(
    session: Session,
    group: Group,
    *,
    token_id: uuid.UUID,
    token: str,
    address: str,
    role: str,
    greeting_name: str | None,
    ttl_seconds: int,
) -> None:
    """An invited address with no login yet: a link to set the first password."""
    recipient = Recipient(address, greeting_name)
    facts = build_facts(
        "invitation",
        **_common(group, recipient, _portal("#/set-password?token=")),
        invited_as=_invited_as(role),
        expires_in=_duration(ttl_seconds),
        link_token=encrypt_secret(token).decode(),
    )
    write_messages(session, [_row(group, "invitation", f"invitation:{token_id}", recipient, facts, None)])


def account_exists(session: Session, group: Group, *, address: str, role: str, greeting_name: str | None) -> None:
    """An invited address that already has a login (here or at another practice): no second login is
    made; its owner is told to sign in, or to reset the password they forgot."""
    recipient = Recipient(address, greeting_name)
    facts = build_facts(
        "account_exists",
        **_common(group, recipient, _portal()),
        invited_as=_invited_as(role),
        reset_link=_portal("#/forgot-password"),
        address=address,
    )
    write_messages(session, [_row(group, "account_exists", f"account_exists:{uuid.uuid4()}", recipient, facts, None)])


def password_reset(
    session: Session, group: Group | None, *, token_id: uuid.UUID, token: str, address: str, ttl_seconds: int
) -> None:
    """A login's owner asked to reset the password: a link to set a new one."""
    recipient = Recipient(address, None)
    facts = build_facts(
        "password_reset",
        **_common(group, recipient, _portal("#/reset-password?token=")),
        expires_in=_duration(ttl_seconds),
        link_token=encrypt_secret(token).decode(),
        address=address,
    )
    write_messages(session, [_row(group, "password_reset", f"password_reset:{token_id}", recipient, facts, None)])


def password_reset_no_account(session: Session, *, address: str) -> None:
    """A reset asked for an address with no active login: the address's owner hears that, and nothing
    else (the caller was told the same as for a known address)."""
    recipient = Recipient(address, None)
    facts = build_facts("password_reset_no_account", **_common(None, recipient, _portal()), address=address)
    kind = "password_reset_no_account"
    write_messages(session, [_row(None, kind, f"{kind}:{uuid.uuid4()}", recipient, facts, None)])
