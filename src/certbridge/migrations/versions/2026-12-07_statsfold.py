"""statsfold: on SQLite, `stats_delta` kept in its primary key's order (WITHOUT ROWID)

Every figure is a range sum over `stats_delta`'s primary key (measure, region, dimension, value, day ≤ the date),
and every write's fold upserts its rows by that key. As a rowid table each row was found through the key's index
and then read (or written) again in the table; kept in key order the sum reads one range and an upsert touches
one B-tree (bench/RESULTS.md, issue 17: a figure about 3 × faster, a fold's upsert about 17 % cheaper). The rows
are copied, not re-folded: nothing they mean changes. PostgreSQL is left as it is.

Revision ID: 0016statsfold
Revises: 0016assist
"""

from __future__ import annotations

from alembic import op

revision = "0016statsfold"
down_revision = "0016assist"
branch_labels = None
depends_on = None

_COLUMNS = ("measure VARCHAR(20) NOT NULL, region VARCHAR(12) NOT NULL, dim VARCHAR(20) NOT NULL, "
            "value VARCHAR(60) NOT NULL, day DATE NOT NULL, delta INTEGER NOT NULL, "
            "CONSTRAINT pk_stats_delta PRIMARY KEY (measure, region, dim, value, day)")


def _rebuild(options: str) -> None:
    op.execute(f"CREATE TABLE stats_delta_new ({_COLUMNS}){options}")
    op.execute("INSERT INTO stats_delta_new (measure, region, dim, value, day, delta) "
               "SELECT measure, region, dim, value, day, delta FROM stats_delta")
    op.execute("DROP TABLE stats_delta")
    op.execute("ALTER TABLE stats_delta_new RENAME TO stats_delta")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")
