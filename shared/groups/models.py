from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin


class Group(IdMixin, TimestampMixin, Base):
    """A practice. Its Stripe secrets are stored only encrypted (shared.security.secrets)."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217, upper case
    timezone: Mapped[str] = mapped_column(String(64))
    invoice_prefix: Mapped[str] = mapped_column(String(16), default="INV-")
    allow_partial_payments: Mapped[bool] = mapped_column(Boolean, default=False)
    minimum_payment_cents: Mapped[int] = mapped_column(Integer, default=0)

    stripe_publishable_key: Mapped[str | None] = mapped_column(String(255))
    stripe_secret_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    stripe_secret_key_last4: Mapped[str | None] = mapped_column(String(4))
    stripe_webhook_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    stripe_connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Only outside production: lets a test or demo point one practice at its own Stripe stand-in.
    stripe_api_base: Mapped[str | None] = mapped_column(String(255))

    @property
    def stripe_connected(self) -> bool:
        return self.stripe_secret_key_encrypted is not None


class InvoiceSequence(Base):
    """The next invoice number of a group. Locked FOR UPDATE while numbering, so numbers never gap."""

    __tablename__ = "invoice_sequences"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)
