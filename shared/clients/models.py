from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin


class Client(IdMixin, TimestampMixin, Base):
    """A patient of a group. Only name and email ever go to Stripe (as a customer)."""

    __tablename__ = "clients"
    __table_args__ = (
        Index("ix_clients_group_created", "group_id", "created_at"),
        # The service code checks first for a friendly error; this catches two requests at once.
        UniqueConstraint("group_id", "external_id"),
        CheckConstraint(
            "reminders_stopped_by IN ('client', 'staff') "
            "AND (reminders_stopped_by IS NULL) = (reminders_opted_out_at IS NULL)",
            name="reminders_stopped_by",
        ),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    external_id: Mapped[str | None] = mapped_column(String(128))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    # When the client's payment reminders were stopped (the one-click link in one, or staff for them:
    # shared/reminders/service.py).
    # Invoice emails and receipts still go; only reminders stop.
    reminders_opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who stopped them, set with the time: "client" (the link) or "staff" (at the client's request).
    reminders_stopped_by: Mapped[str | None] = mapped_column(String(16))
