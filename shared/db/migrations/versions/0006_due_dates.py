"""due dates: the practice's payment terms, a due date chosen in a run, each invoice's due date"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"


def upgrade() -> None:
    op.add_column(
        "groups", sa.Column("payment_terms", sa.String(length=16), server_default="due_on_receipt", nullable=False)
    )
    op.add_column("invoicing_runs", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("invoices", sa.Column("due_date", sa.Date(), nullable=True))
    # Invoices issued before payment terms existed were due on receipt.
    op.execute("UPDATE invoices SET due_date = invoiced_date")
    op.alter_column("invoices", "due_date", nullable=False)
    # What is owed and since when (overdue lists, aging): only a practice's open invoices are read.
    op.create_index(
        "ix_invoices_group_owing_due",
        "invoices",
        ["group_id", "due_date"],
        postgresql_where=sa.text("status in ('open', 'partially_paid')"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_group_owing_due", table_name="invoices")
    op.drop_column("invoices", "due_date")
    op.drop_column("invoicing_runs", "due_date")
    op.drop_column("groups", "payment_terms")
