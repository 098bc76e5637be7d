"""perf: status_facts_version, a version of the body, standard and scheme facts verdicts read, changed by
triggers on every write to those facts (in the writer's transaction), so processes can cache the facts;
stats_holder keeps the basis a holder's rows were counted with instead of the rows (the statistics are folded
again from the log: the fold starts over)

Revision ID: 0015perf
Revises: 0014risk
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015perf"
down_revision = "0015relationships"
branch_labels = None
depends_on = None

# table → the columns whose changes the cached facts see (certificates/status_facts.py reads exactly these)
WATCHED = {
    "certification_body": ("code", "name", "approval_number", "status", "status_changed_on", "valid_until"),
    "standard": ("code", "version", "transition_deadline"),
    "scheme": ("code", "body_revoked_grace_months"),
}
# A fresh random value, never a counter: a version seen inside a transaction that rolls back is never reused.
_SQLITE_BUMP = "UPDATE status_facts_version SET version = random() WHERE id = 1"
_PG_BUMP = "UPDATE status_facts_version SET version = floor(random() * 9.0e18)::bigint WHERE id = 1"


def upgrade() -> None:
    op.create_table("status_facts_version",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_status_facts_version"))
    )
    _stats_holder_basis()
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(f"INSERT INTO status_facts_version (id, version) VALUES (1, "
               f"{'random()' if sqlite else 'floor(random() * 9.0e18)::bigint'})")
    if sqlite:
        for table, columns in WATCHED.items():
            for name, when in (("ai", "INSERT"), ("ad", "DELETE"), ("au", f"UPDATE OF {', '.join(columns)}")):
                op.execute(f"CREATE TRIGGER status_facts_{table}_{name} AFTER {when} ON {table} "
                           f"BEGIN {_SQLITE_BUMP}; END")
        return
    op.execute(f"CREATE FUNCTION status_facts_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
               f"BEGIN {_PG_BUMP}; RETURN NULL; END $$")
    for table, columns in WATCHED.items():
        op.execute(f"CREATE TRIGGER status_facts_{table} AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "
                   f"{', '.join(columns)} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION status_facts_bump()")


def _stats_holder_basis() -> None:
    """stats_holder: the basis replaces the rows; every folded figure is dropped and folded again from the log."""
    for table in ("stats_delta", "stats_holder", "stats_certificate", "stats_cursor"):
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("stats_holder", schema=None) as batch_op:
        batch_op.drop_column("rows")
        batch_op.add_column(sa.Column("basis", sa.JSON(), nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in WATCHED:
            for name in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS status_facts_{table}_{name}")
    else:
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS status_facts_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS status_facts_bump()")
    op.drop_table("status_facts_version")
    for table in ("stats_delta", "stats_holder", "stats_certificate", "stats_cursor"):
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("stats_holder", schema=None) as batch_op:
        batch_op.drop_column("basis")
        batch_op.add_column(sa.Column("rows", sa.JSON(), nullable=False))
