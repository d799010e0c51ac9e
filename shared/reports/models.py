"""The practice's ledger version: moved by the database itself (migration 0014's deferred trigger) in the
commit of every transaction that changes the practice's invoices, payments, refunds or clients. Nothing in
Python writes it; the reports' cache (shared/reports/cache.py) reads it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base


class LedgerVersion(Base):
    __tablename__ = "ledger_versions"

    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
