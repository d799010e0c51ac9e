"""reconciliations get a lease owner, like every other lease (shared/db/lease.py): only the
worker holding a run's lease may extend it
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("reconciliations", sa.Column("lease_owner", sa.String(length=128), nullable=True))


def downgrade() -> None:
    op.drop_column("reconciliations", "lease_owner")
