"""staff alerts; a card payment's PaymentIntent mismatch"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_by_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_alerts_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_alerts_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_alerts_payment_id_payments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_user_id"], ["users.id"], name=op.f("fk_alerts_resolved_by_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_alerts_resolved_by_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("group_id", "dedupe_key", name=op.f("uq_alerts_group_id_dedupe_key")),
    )
    op.create_index("ix_alerts_group_created", "alerts", ["group_id", "created_at"], unique=False)
    op.create_index(
        "ix_alerts_group_open",
        "alerts",
        ["group_id", "created_at"],
        unique=False,
        postgresql_where="resolved_at IS NULL",
    )
    op.create_index(
        "ix_alerts_invoice_open", "alerts", ["invoice_id"], unique=False, postgresql_where="resolved_at IS NULL"
    )
    op.add_column("payments", sa.Column("stripe_mismatch", postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("payments", "stripe_mismatch")
    op.drop_index("ix_alerts_invoice_open", table_name="alerts", postgresql_where="resolved_at IS NULL")
    op.drop_index("ix_alerts_group_open", table_name="alerts", postgresql_where="resolved_at IS NULL")
    op.drop_index("ix_alerts_group_created", table_name="alerts")
    op.drop_table("alerts")
