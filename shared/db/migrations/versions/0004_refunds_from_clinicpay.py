"""refunds asked for in clinicpay: the staff's note, who asked, why Stripe failed it"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("refunds", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("refunds", sa.Column("requested_by_user_id", sa.Uuid(), nullable=True))
    op.add_column("refunds", sa.Column("failure_reason", sa.String(length=64), nullable=True))
    op.create_foreign_key(
        op.f("fk_refunds_requested_by_user_id_users"),
        "refunds",
        "users",
        ["requested_by_user_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_refunds_unsent",
        "refunds",
        ["created_at"],
        postgresql_where=sa.text("stripe_refund_id IS NULL AND status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_refunds_unsent", table_name="refunds")
    op.drop_constraint(op.f("fk_refunds_requested_by_user_id_users"), "refunds", type_="foreignkey")
    op.drop_column("refunds", "failure_reason")
    op.drop_column("refunds", "requested_by_user_id")
    op.drop_column("refunds", "note")
