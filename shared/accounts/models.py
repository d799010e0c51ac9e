"""Single-use links emailed to a person: an invitation to set a first password, or a password reset.

Only the token's SHA-256 is stored (shared/security/tokens.py: token_digest); the token itself exists
in the email alone (its outbox row holds it encrypted, shared/outbox/service.py), so a database
leak opens no account. A token is used once (`used_at`) and expires (`expires_at`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin

TokenPurpose = Literal["invite", "reset"]


class AccountToken(IdMixin, Base):
    __tablename__ = "account_tokens"
    __table_args__ = (
        # Issuing a new link ends the earlier unused ones of the same login or the same invitation.
        Index("ix_account_tokens_user_unused", "user_id", postgresql_where="used_at IS NULL"),
        Index("ix_account_tokens_invite_unused", "group_id", "email", postgresql_where="used_at IS NULL"),
    )

    purpose: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # reset: the login whose password it sets.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # invite: the practice, the address, the role (and for a client, which client) of the login to make.
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str | None] = mapped_column(String(16))
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
