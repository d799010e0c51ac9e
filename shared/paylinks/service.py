"""Pay links: each invoice email carries a link to a pay page for that one invoice, no sign-in needed.

- **Minted when the email is sent, never stored.** The worker makes the token (`cpl_` + 256 random
  bits) just before it hands a batch of messages to the mail server (shared/jobs/delivery.py) and stores
  only its SHA-256 with the invoice, its client and its expiry; the outbox row keeps the portal's
  link, so no database row or log line can hold a working link. A message sent twice (a worker
  killed after the server's 250) carries two links, both valid: the message is the same otherwise.
- **Across key rotation:** the token is random, looked up by its digest; no server key signs it.
- **Bound to the invoice and its client:** a link opens only its own invoice, and only while that
  invoice is still this client's in this practice. A payment started from it is its invoice's.
- **Invalid is one answer:** unknown, tampered, revoked, or of an invoice no longer the client's — 404
  `pay_link_invalid`, the same words. Only a real, expired link says `pay_link_expired` (410), and
  offers a fresh link, sent to the client's address on file (never one typed in).
- **Payment** goes through the portal's own functions (shared/payments/portal_card.py), acting as the
  invoice's client: the same checks, the same one PaymentIntent per payment, the same ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.config import app_settings
from shared.errors import Gone, NotFound
from shared.groups.models import Group
from shared.ledger.invoice_repository import InvoiceRepository
from shared.ledger.invoices import Invoice
from shared.logging import get_logger
from shared.outbox import service as outbox
from shared.paylinks.models import PayLink
from shared.paylinks.schemas import PayLinkSummary
from shared.payments import portal_card
from shared.payments.portal_repository import PortalPaymentRepository
from shared.payments.portal_schemas import CardPaymentStarted, CardPaymentState
from shared.security.tokens import PAY_LINK_PREFIX, is_well_formed, new_pay_link_token, token_digest

log = get_logger(__name__)

# The email kinds whose link is a pay link, minted as the message is sent.
PAY_LINK_KINDS = frozenset({"invoice_issued", "pay_link", "reminder"})

INVALID_MESSAGE = "This payment link is not valid. Use the link in your latest email from the practice, or sign in."
EXPIRED_MESSAGE = "This payment link has expired. You can ask for a new one to be sent to your email address."


def invalid() -> NotFound:
    return NotFound(INVALID_MESSAGE, code="pay_link_invalid")


def pay_url(token: str) -> str:
    """The pay page: the token rides in the fragment, which browsers never send to a server (so no
    access log or Referer carries it); the page moves it out of the address bar on arrival."""
    return f"{app_settings().public_portal_url}#/pay/{token}"


def _now() -> datetime:
    return datetime.now(UTC)


# --- minting (the worker, as it sends the email) -----------------------------------------------------


def mint(
    session: Session, *, invoice_id: uuid.UUID, outbox_message_id: uuid.UUID | None = None
) -> tuple[str, datetime] | None:
    """A new link for the invoice, working for the practice's `pay_link_expiry_days` from now.
    Returns (token, expires_at) — the token exists only in memory and in the email — or None when
    the invoice is gone."""
    row = session.execute(
        select(Invoice.group_id, Invoice.client_id, Group.pay_link_expiry_days)
        .join(Group, Group.id == Invoice.group_id)
        .where(Invoice.id == invoice_id)
    ).one_or_none()
    if row is None:
        return None
    token = new_pay_link_token()
    expires_at = _now() + timedelta(days=row.pay_link_expiry_days)
    session.add(
        PayLink(
            group_id=row.group_id,
            invoice_id=invoice_id,
            client_id=row.client_id,
            digest=token_digest(token),
            outbox_message_id=outbox_message_id,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token, expires_at


def pay_links_for(session: Session, rows: Sequence[Any]) -> dict[uuid.UUID, dict[str, str]]:
    """For a batch of outbox rows about to be sent: each pay-link kind's new link and the day it expires
    (in the practice's time zone), by row id — the delivery job commits them before the first message
    leaves, so every link works by the time its email arrives. Nothing for other kinds of message, nor
    for an invoice that is gone. A link minted for a message that then is not sent (the server went
    away mid-batch) is harmless: its token was never anywhere but in this worker's memory."""
    wanted = [row for row in rows if row.kind in PAY_LINK_KINDS and row.invoice_id is not None]
    if not wanted:
        return {}
    now = _now()
    facts: dict[uuid.UUID, dict[str, str]] = {}
    invoices = {
        found.id: found
        for found in session.execute(
            select(Invoice.id, Invoice.group_id, Invoice.client_id, Group.pay_link_expiry_days, Group.timezone)
            .join(Group, Group.id == Invoice.group_id)
            .where(Invoice.id.in_({row.invoice_id for row in wanted}))
        )
    }
    links = []
    for row in wanted:
        invoice = invoices.get(row.invoice_id)
        if invoice is None:
            continue
        token = new_pay_link_token()
        expires_at = now + timedelta(days=invoice.pay_link_expiry_days)
        links.append(
            {
                "id": uuid.uuid4(),
                "group_id": invoice.group_id,
                "invoice_id": invoice.id,
                "client_id": invoice.client_id,
                "digest": token_digest(token),
                "outbox_message_id": row.id,
                "expires_at": expires_at,
            }
        )
        facts[row.id] = {"link": pay_url(token), "link_expires_on": outbox.local_day(expires_at, invoice.timezone)}
    if links:
        session.execute(insert(PayLink), links)
    log.info("pay_links_minted", count=len(facts))
    return facts


# --- resolving a token ---------------------------------------------------------------------------------


def find(session: Session, token: str) -> PayLink | None:
    """The link of this token if it exists, is not revoked and its invoice is still its client's."""
    if not is_well_formed(token, PAY_LINK_PREFIX):
        return None
    link = session.scalar(select(PayLink).where(PayLink.digest == token_digest(token)))
    if link is None or link.revoked_at is not None:
        return None
    owner = session.execute(select(Invoice.group_id, Invoice.client_id).where(Invoice.id == link.invoice_id)).one()
    if (owner.group_id, owner.client_id) != (link.group_id, link.client_id):
        return None
    return link


def resolve(session: Session, token: str) -> PayLink:
    """The working link of this token: 404 `pay_link_invalid`, or 410 `pay_link_expired`."""
    link = find(session, token)
    if link is None:
        raise invalid()
    return use(session, link)


def use(session: Session, link: PayLink) -> PayLink:
    """A found link, unless it expired (410 `pay_link_expired`); its use is noted."""
    if link.expires_at <= _now():
        raise Gone(EXPIRED_MESSAGE, code="pay_link_expired")
    session.execute(update(PayLink).where(PayLink.id == link.id).values(last_used_at=_now()))
    return link


def actor_of(link: PayLink) -> Actor:
    """Whoever holds the link acts as the invoice's client, for that invoice only (the functions below
    check). Audited as `pay_link`, so the trail tells a payment from a pay link from a signed-in one."""
    return Actor(kind="pay_link", group_id=link.group_id, client_id=link.client_id)


def summary(session: Session, link: PayLink) -> PayLinkSummary:
    invoice = session.get_one(Invoice, link.invoice_id)
    group = session.get_one(Group, link.group_id)
    owed = invoice.balance_cents if invoice.status != "void" else 0
    return PayLinkSummary(
        practice_name=group.name,
        invoice_number=invoice.number,
        invoiced_date=invoice.invoiced_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        total_cents=invoice.total_cents,
        paid_cents=invoice.paid_cents,
        amount_due_cents=owed,
        processing_cents=invoice.processing_cents,
        status=invoice.status,
        can_pay=owed > 0 and group.stripe_connected and bool(group.stripe_publishable_key),
        allow_partial_payments=group.allow_partial_payments,
        minimum_payment_cents=group.minimum_payment_cents,
    )


# --- paying: the portal's own functions, held to the link's invoice --------------------------------------


def _own_payment(session: Session, link: PayLink, payment_id: uuid.UUID) -> None:
    payment = PortalPaymentRepository.from_session(session).client_card_payment(
        payment_id, link.group_id, link.client_id
    )
    if payment is None or payment.invoice_id != link.invoice_id:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")


def start_payment(session: Session, link: PayLink, amount_cents: int | None) -> tuple[CardPaymentStarted, bool]:
    return portal_card.start_card_payment(session, actor_of(link), link.invoice_id, amount_cents)


def prepare_payment(session: Session, link: PayLink, payment_id: uuid.UUID, confirmation_token: str | None) -> None:
    _own_payment(session, link, payment_id)
    portal_card.prepare_payment_intent(session, actor_of(link), payment_id, confirmation_token)


def confirm_payment(session: Session, link: PayLink, payment_id: uuid.UUID) -> CardPaymentState:
    _own_payment(session, link, payment_id)
    return portal_card.confirm_card_payment(session, actor_of(link), payment_id)


def get_payment(session: Session, link: PayLink, payment_id: uuid.UUID) -> CardPaymentState:
    _own_payment(session, link, payment_id)
    return portal_card.get_card_payment(session, actor_of(link), payment_id)


def cancel_payment(session: Session, link: PayLink, payment_id: uuid.UUID) -> CardPaymentState:
    _own_payment(session, link, payment_id)
    return portal_card.cancel_card_payment(session, actor_of(link), payment_id)


# --- staff: revoking ------------------------------------------------------------------------------------


def revoke_all(session: Session, actor: Actor, invoice_id: uuid.UUID) -> int:
    """Every link of the invoice stops working now (404 outside the staff member's practice)."""
    invoice = InvoiceRepository.from_session(session).get_or_404(actor, invoice_id)
    revoked = session.execute(
        update(PayLink)
        .where(
            PayLink.group_id == invoice.group_id,
            PayLink.invoice_id == invoice.id,
            PayLink.revoked_at.is_(None),
            PayLink.expires_at > _now(),
        )
        .values(revoked_at=_now())
    ).rowcount
    # Expired links are revoked too (quietly): revoked is final, and an expired one may not ask for a fresh link.
    session.execute(
        update(PayLink).where(PayLink.invoice_id == invoice.id, PayLink.revoked_at.is_(None)).values(revoked_at=_now())
    )
    record(session, actor, "pay_links.revoked", "invoice", invoice.id, data={"revoked": revoked})
    log.info("pay_links_revoked", invoice_id=str(invoice.id), revoked=revoked)
    return revoked


# --- a fresh link, asked for from an expired one -----------------------------------------------------------


def request_fresh_link(session: Session, token: str) -> bool:
    """From an expired link: a new link by email to the client's address on file. Whatever happens
    the caller answers the same; True when a message was written."""
    link = find(session, token)
    if link is None or link.expires_at > _now():
        return False  # unknown, revoked, or still working: nothing to renew
    invoice = session.get_one(Invoice, link.invoice_id)
    if invoice.status == "void" or invoice.balance_cents <= 0:
        return False
    # One fresh link per expired link a day, however often the button is pressed.
    written = outbox.pay_link_requested(session, invoice, f"pay_link_renewed:{link.id}:{_now():%Y-%m-%d}")
    log.info("pay_link_renewal_requested", invoice_id=str(invoice.id), written=bool(written))
    return bool(written)
