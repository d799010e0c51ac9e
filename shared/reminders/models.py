"""The one-click opt-out of reminders: one row per reminder sent, minted as the email is sent.

As with pay links, only the token's SHA-256 is stored, so no database read gives anyone a working
link; the token lives only in the email (its body's link and its List-Unsubscribe header). A link
never expires: an old reminder's unsubscribe link must still work (RFC 8058)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin


class UnsubscribeLink(IdMixin, Base):
    __tablename__ = "unsubscribe_links"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    outbox_message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
