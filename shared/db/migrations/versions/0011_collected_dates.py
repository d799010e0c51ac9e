"""collected dates: a card or bank payment's received_date is the day it succeeded; indexes for
collections per month
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    # Card and bank payments that succeeded before this: the day they were last changed (their success,
    # or a later refund's bookkeeping — the closest record there is) on the practice's calendar.
    op.execute(
        sa.text(
            "UPDATE payments SET received_date = (payments.updated_at AT TIME ZONE groups.timezone)::date "
            "FROM groups WHERE groups.id = payments.group_id AND payments.method = 'card' "
            "AND payments.status = 'succeeded' AND payments.received_date IS NULL"
        )
    )
    op.create_index(
        "ix_payments_group_collected",
        "payments",
        ["group_id", "received_date"],
        postgresql_where=sa.text("status = 'succeeded'"),
    )
    op.create_index(
        "ix_refunds_group_succeeded",
        "refunds",
        ["group_id", "created_at"],
        postgresql_where=sa.text("status = 'succeeded'"),
    )


def downgrade() -> None:
    op.drop_index("ix_refunds_group_succeeded", table_name="refunds")
    op.drop_index("ix_payments_group_collected", table_name="payments")
