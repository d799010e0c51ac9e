"""ledger versions: a practice's counter that every change to its money moves, for the reports' cache

`ledger_versions` holds one row per practice. A deferred trigger on invoices, payments, refunds and
clients moves it once per transaction, at commit, whatever code (or hand-written SQL) made the change:
so a cached report keyed by the version can never outlive the ledger it was computed from
(shared/reports/cache.py). Deferred to commit so the row is locked only for the moment the committing
transaction ends, not for the whole of an invoicing batch.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"

TABLES = ("invoices", "payments", "refunds", "clients")

BUMP = """
CREATE FUNCTION bump_ledger_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  practice uuid;
  flag text;
BEGIN
  IF TG_OP = 'DELETE' THEN practice := OLD.group_id; ELSE practice := NEW.group_id; END IF;
  -- The trigger fires for every changed row at commit; the practice's row moves once per transaction.
  flag := 'clinicpay.ledger_moved_' || replace(practice::text, '-', '');
  IF current_setting(flag, true) = '1' THEN
    RETURN NULL;
  END IF;
  INSERT INTO ledger_versions (group_id, version, changed_at)
  SELECT practice, 1, clock_timestamp() WHERE EXISTS (SELECT 1 FROM groups WHERE id = practice)
  ON CONFLICT (group_id) DO UPDATE SET version = ledger_versions.version + 1, changed_at = clock_timestamp();
  PERFORM set_config(flag, '1', true);
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    # No foreign key: a practice deleted with its invoices must not trip over its own version row.
    op.create_table(
        "ledger_versions",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_ledger_versions")),
    )
    op.execute(BUMP)
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_move_ledger_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_ledger_version()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_move_ledger_version ON {table}")
    op.execute("DROP FUNCTION bump_ledger_version()")
    op.drop_table("ledger_versions")
