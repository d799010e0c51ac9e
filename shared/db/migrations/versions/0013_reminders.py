"""payment reminders: each practice's schedule and quiet hours, a client's opt-out, unsubscribe links

Practices that exist at upgrade start with no schedule (reminders off): switching them on is the
practice's choice, never a deploy's. Practices created afterwards get the default schedule.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    op.add_column(
        "groups",
        sa.Column(
            "reminder_schedule_days", postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{}'"), nullable=False
        ),
    )
    op.add_column("groups", sa.Column("reminder_quiet_start_hour", sa.Integer(), server_default="20", nullable=False))
    op.add_column("groups", sa.Column("reminder_quiet_end_hour", sa.Integer(), server_default="8", nullable=False))
    op.add_column("clients", sa.Column("reminders_opted_out_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "unsubscribe_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("outbox_message_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_unsubscribe_links_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_unsubscribe_links_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_unsubscribe_links_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_links")),
        sa.UniqueConstraint("digest", name=op.f("uq_unsubscribe_links_digest")),
    )


def downgrade() -> None:
    op.drop_table("unsubscribe_links")
    op.drop_column("clients", "reminders_opted_out_at")
    op.drop_column("groups", "reminder_quiet_end_hour")
    op.drop_column("groups", "reminder_quiet_start_hour")
    op.drop_column("groups", "reminder_schedule_days")
