"""the practice's letterhead on invoice PDFs: address, phone, tax id, NPI and a logo"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0005"


def upgrade() -> None:
    op.add_column(
        "groups",
        sa.Column(
            "address_lines", postgresql.ARRAY(sa.String(length=100)), server_default=sa.text("'{}'"), nullable=False
        ),
    )
    op.add_column("groups", sa.Column("phone", sa.String(length=32), nullable=True))
    op.add_column("groups", sa.Column("tax_id", sa.String(length=20), nullable=True))
    op.add_column("groups", sa.Column("npi", sa.String(length=10), nullable=True))
    op.create_table(
        "group_logos",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("media_type", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_logos_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_logos")),
    )


def downgrade() -> None:
    op.drop_table("group_logos")
    op.drop_column("groups", "npi")
    op.drop_column("groups", "tax_id")
    op.drop_column("groups", "phone")
    op.drop_column("groups", "address_lines")
