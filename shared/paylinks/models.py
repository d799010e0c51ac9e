"""One row per pay link sent. The token itself is never stored: only its SHA-256 (`digest`), so a
database read gives nobody a working link, and no server key is involved — a key rotation changes
nothing about the links already sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin


class PayLink(IdMixin, Base):
    __tablename__ = "pay_links"
    __table_args__ = (Index("ix_pay_links_invoice", "invoice_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    # The invoice's client when the link was made: a link works only while the invoice is still theirs.
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The email that carried it (minted when that email was sent, never stored with it).
    outbox_message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
