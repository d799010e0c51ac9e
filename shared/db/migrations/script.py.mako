"""${message}"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# The chain is read from these two names only (alembic's branch_labels and depends_on are unused here).
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
