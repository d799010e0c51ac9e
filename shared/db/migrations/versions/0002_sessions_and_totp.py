"""sessions and staff accounts that end: TOTP second factor, practice-wide TOTP requirement"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("users", sa.Column("totp_secret_encrypted", sa.LargeBinary(), nullable=True))
    op.add_column("users", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("totp_last_timecode", sa.BigInteger(), nullable=True))
    op.add_column("groups", sa.Column("require_staff_totp", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("groups", "require_staff_totp")
    op.drop_column("users", "totp_last_timecode")
    op.drop_column("users", "totp_enabled_at")
    op.drop_column("users", "totp_secret_encrypted")
