from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, false, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.groups.reminder_settings import DEFAULT_QUIET_END_HOUR, DEFAULT_QUIET_START_HOUR, DEFAULT_SCHEDULE


class Group(IdMixin, TimestampMixin, Base):
    """A practice. Its Stripe secrets are stored only encrypted (shared.security.secrets)."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217, upper case
    timezone: Mapped[str] = mapped_column(String(64))
    invoice_prefix: Mapped[str] = mapped_column(String(16), default="INV-")
    allow_partial_payments: Mapped[bool] = mapped_column(Boolean, default=False)
    minimum_payment_cents: Mapped[int] = mapped_column(Integer, default=0)
    # When its invoices are due (shared/ledger/due.py): due_on_receipt, net_7, net_15, net_30.
    payment_terms: Mapped[str] = mapped_column(String(16), default="due_on_receipt", server_default="due_on_receipt")
    # Staff without a second factor get a token that can only enrol one (shared/auth/service.py).
    require_staff_totp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # The letterhead printed on new invoice PDFs (an issued PDF keeps the one it was rendered with).
    address_lines: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list, server_default=text("'{}'"))
    phone: Mapped[str | None] = mapped_column(String(32))
    tax_id: Mapped[str | None] = mapped_column(String(20))
    npi: Mapped[str | None] = mapped_column(String(10))  # US National Provider Identifier
    # Where a client's answer to one of the practice's emails goes (the emails come from clinicpay's sender).
    reply_to_email: Mapped[str | None] = mapped_column(String(320))

    stripe_publishable_key: Mapped[str | None] = mapped_column(String(255))
    stripe_secret_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    stripe_secret_key_last4: Mapped[str | None] = mapped_column(String(4))
    stripe_webhook_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    stripe_connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Only outside production: lets a test or demo point one practice at its own Stripe stand-in.
    stripe_api_base: Mapped[str | None] = mapped_column(String(255))
    # The webhook endpoint clinicpay created at Stripe for this practice; None when the admin pasted a
    # signing secret instead (a restricted key), or Stripe refused to create one (`stripe_webhook_problem`).
    stripe_webhook_endpoint_id: Mapped[str | None] = mapped_column(String(255))
    stripe_webhook_problem: Mapped[str | None] = mapped_column(String(64))
    # The portal's domain registered for wallets and Link (payment method domains), or why it is not.
    stripe_payment_method_domain_id: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_method_domain_problem: Mapped[str | None] = mapped_column(String(64))
    # ACH Direct Debit in the portal (USD practices only: Stripe offers it for USD).
    ach_debit_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # How long the pay link in an invoice email works (shared/paylinks), in days from when it was sent.
    pay_link_expiry_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Payment reminders (shared/groups/reminder_settings.py, applied by shared/reminders/): days from an invoice's due date (negative:
    # before it), sorted; empty: none. New practices get DEFAULT_SCHEDULE; practices that existed
    # before reminders were built start with none (the migration), so a deploy reminds nobody by surprise.
    reminder_schedule_days: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=lambda: list(DEFAULT_SCHEDULE), server_default=text("'{}'")
    )
    # Local hours [start, end) in which no reminder is sent; start == end: no quiet hours.
    reminder_quiet_start_hour: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_QUIET_START_HOUR, server_default="20"
    )
    reminder_quiet_end_hour: Mapped[int] = mapped_column(Integer, default=DEFAULT_QUIET_END_HOUR, server_default="8")

    @property
    def stripe_connected(self) -> bool:
        return self.stripe_secret_key_encrypted is not None


class InvoiceSequence(Base):
    """The next invoice number of a group. Locked FOR UPDATE while numbering, so numbers never gap."""

    __tablename__ = "invoice_sequences"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class GroupLogo(Base):
    """A practice's logo as it prints on invoices: checked and re-encoded on upload (shared.groups.logo),
    kept in PostgreSQL like the invoice PDFs. In a table of its own so reading a group never reads it."""

    __tablename__ = "group_logos"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(16))  # image/png or image/jpeg
    width: Mapped[int] = mapped_column(Integer)  # pixels
    height: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
