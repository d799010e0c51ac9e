"""who stopped a client's reminders: the client (the link in a reminder) or staff (at the client's request)

`clients.reminders_stopped_by` is set exactly when `reminders_opted_out_at` is (a CHECK holds the two
together), so the client's page can say who stopped them. Clients already stopped take it from the
audit trail: the latest `client.reminders_stopped` says `via: "staff"` for staff, and anything else
was the link (the only way before staff could).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    op.add_column("clients", sa.Column("reminders_stopped_by", sa.String(16), nullable=True))
    # The ledger-version trigger (0014) on clients is deferred to commit; a change of clients it has
    # still to run for forbids the ALTER TABLE below ("pending trigger events"), so it runs now.
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(
        """
        UPDATE clients SET reminders_stopped_by = CASE WHEN (
            SELECT a.data ->> 'via' FROM audit_events a
            WHERE a.entity = 'client' AND a.entity_id = clients.id::text AND a.action = 'client.reminders_stopped'
            ORDER BY a.created_at DESC LIMIT 1
        ) = 'staff' THEN 'staff' ELSE 'client' END
        WHERE reminders_opted_out_at IS NOT NULL
        """
    )
    op.create_check_constraint(
        op.f("ck_clients_reminders_stopped_by"),
        "clients",
        "reminders_stopped_by IN ('client', 'staff') "
        "AND (reminders_stopped_by IS NULL) = (reminders_opted_out_at IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_clients_reminders_stopped_by"), "clients", type_="check")
    op.drop_column("clients", "reminders_stopped_by")
