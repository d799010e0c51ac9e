"""One row per message to send. Written in the transaction of the change that causes it (an invoice
issued, a payment received or failed, a refund, a staff alert), so a message exists exactly when
its cause committed; the worker sends it and marks it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin

# What a message is about; each has its templates in shared/outbox/templates/<kind>.{txt,html}.
MessageKind = Literal[
    "invoice_issued",  # to the client: a new invoice, its amount and a pay link
    "pay_link",  # to the client: a new pay link for an invoice, asked for from an expired one
    "payment_receipt",  # to the client: a payment (card, ACH, manual) was received
    "payment_failed",  # to the client: a card or bank payment did not go through
    "refund_receipt",  # to the client: money was refunded
    "reminder",  # to the client: an invoice is (or will soon be) due, on the practice's schedule
    "staff_alert",  # to each admin and biller: a staff alert was raised
    # Sign-ins (shared/accounts/service.py); each holds a single-use link, or a link to sign in:
    "invitation",  # to an invited address with no login yet: set a password
    "account_exists",  # to an invited address that already has a login: sign in (or reset) instead
    "password_reset",  # to a login's address: set a new password
    "password_reset_no_account",  # to an address with no active login that asked for a reset
]
MESSAGE_KINDS: tuple[str, ...] = get_args(MessageKind)

# pending: waiting to be sent (or sent, but the worker died before marking it: sent again with the same
# Message-ID); sent: the server answered 250; failed: the server refused the address for good (5xx);
# skipped: nothing to send, kept as the record of that (`skip_reason`: a client without an email address;
# a reminder whose invoice was paid, voided or disputed, or whose client opted out, before it went).
MessageStatus = Literal["pending", "sent", "failed", "skipped"]


class OutboxMessage(IdMixin, Base):
    """Unique per (group, dedupe_key): a duplicated Stripe event or a retried task finds its message
    and adds none."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("group_id", "dedupe_key"),
        Index("ix_outbox_messages_pending", "created_at", postgresql_where="status = 'pending'"),
        Index("ix_outbox_messages_group_created", "group_id", "created_at"),
        Index("ix_outbox_messages_invoice", "invoice_id"),
    )

    # None for a message about a sign-in that belongs to no practice: an operator's password reset,
    # or the "no account uses this address" answer to a reset asked for an unknown address.
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email")
    dedupe_key: Mapped[str] = mapped_column(String(255))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    # None when there is no one to send to (status "skipped").
    to_address: Mapped[str | None] = mapped_column(String(320))
    # The RFC 5322 Message-ID, made when the row is written: every attempt sends the same one, so a
    # message sent twice (a worker killed after the server's 250) is one message to the receiving side.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The allow-listed facts the templates render (shared/outbox/schemas.py), already formatted in the
    # practice's currency and time zone: never clinical text.
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The server's code and reply, or the connection error; never credentials.
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(255))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
