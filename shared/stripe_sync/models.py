"""The webhook inbox and reconciliation jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin


class StripeEvent(IdMixin, Base):
    """One Stripe event as delivered to one group's endpoint.

    Unique per (group, Stripe event id): on the stand-in every practice's endpoint
    receives every event, so a global unique key would let one group's copy hide another's.
    """

    __tablename__ = "stripe_events"
    __table_args__ = (
        UniqueConstraint("group_id", "stripe_event_id"),
        Index("ix_stripe_events_undispatched", "received_at", postgresql_where="dispatched_at IS NULL"),
        Index("ix_stripe_events_unprocessed", "group_id", "received_at", postgresql_where="processed_at IS NULL"),
        # The worker tops up its batches from here, oldest first, and the sweeper looks here too.
        Index("ix_stripe_events_waiting", "received_at", postgresql_where="processed_at IS NULL"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    stripe_event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(128))
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source: Mapped[str] = mapped_column(String(16), default="webhook")  # webhook | reconciliation
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))  # applied | ignored | unmatched
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Reconciliation(IdMixin, TimestampMixin, Base):
    __tablename__ = "reconciliations"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | manual
    # Stripe `created` timestamps: what this run read from and up to.
    watermark_from: Mapped[int | None] = mapped_column(BigInteger)
    watermark_to: Mapped[int | None] = mapped_column(BigInteger)
    fixed: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The lease (shared/db/lease.py): the worker (Celery task id) on this run, until lease_expires_at.
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
