from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, LargeBinary, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin

ROLES = ("operator", "admin", "biller", "client")
STAFF_ROLES = ("admin", "biller")


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)

    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # Set for role "client": the client record this login belongs to.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    # The TOTP second factor (staff and operators; shared/auth/totp.py). The secret is stored only
    # encrypted (shared.security.secrets); it counts once `totp_enabled_at` is set, i.e. after the
    # user proved with a code that their app has it. `totp_last_timecode` is the 30-second step of
    # the last code accepted: a code of that step or an earlier one is a replay and is refused.
    totp_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_timecode: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None


class AccessToken(IdMixin, Base):
    """An issued bearer token. Only its SHA-256 is stored, so a database leak grants nothing."""

    __tablename__ = "access_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiKey(IdMixin, Base):
    """A group's server-to-server key, shown once at creation; stored as its SHA-256."""

    __tablename__ = "api_keys"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_last4: Mapped[str] = mapped_column(String(4))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
