"""clinicpay's own webhook endpoint, the portal's payment method domain, ACH Direct Debit"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"


def upgrade() -> None:
    # The webhook endpoint clinicpay created at Stripe (None: a pasted whsec_ or none), and why it could not.
    op.add_column("groups", sa.Column("stripe_webhook_endpoint_id", sa.String(length=255), nullable=True))
    op.add_column("groups", sa.Column("stripe_webhook_problem", sa.String(length=64), nullable=True))
    op.add_column("groups", sa.Column("stripe_payment_method_domain_id", sa.String(length=255), nullable=True))
    op.add_column("groups", sa.Column("stripe_payment_method_domain_problem", sa.String(length=64), nullable=True))
    op.add_column("groups", sa.Column("ach_debit_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
    # What the client paid with (card, link, us_bank_account) and the ConfirmationToken used, once.
    op.add_column("payments", sa.Column("stripe_payment_method_type", sa.String(length=32), nullable=True))
    op.add_column("payments", sa.Column("stripe_confirmation_token_id", sa.String(length=255), nullable=True))
    op.add_column("payments", sa.Column("failure_code", sa.String(length=64), nullable=True))
    op.create_unique_constraint(
        op.f("uq_payments_stripe_confirmation_token_id"), "payments", ["stripe_confirmation_token_id"]
    )
    # Money on its way (an ACH debit takes days): shown as pending, not counted as paid.
    op.add_column("invoices", sa.Column("processing_cents", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    op.drop_column("invoices", "processing_cents")
    op.drop_constraint(op.f("uq_payments_stripe_confirmation_token_id"), "payments", type_="unique")
    op.drop_column("payments", "failure_code")
    op.drop_column("payments", "stripe_confirmation_token_id")
    op.drop_column("payments", "stripe_payment_method_type")
    op.drop_column("groups", "ach_debit_enabled")
    op.drop_column("groups", "stripe_payment_method_domain_problem")
    op.drop_column("groups", "stripe_payment_method_domain_id")
    op.drop_column("groups", "stripe_webhook_problem")
    op.drop_column("groups", "stripe_webhook_endpoint_id")
