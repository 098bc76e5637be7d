"""stats rows: a county's figures (and a city's by dimension) counted from one row per certificate event

`stats_delta` kept a daily row per measure, dimension and value at every region level — 72-86 rows a
certificate, about 450 million at 10 M certificates. It now keeps the nation's and the provinces' figures under
every dimension and the cities' under "all" only; everything else is counted on the date from `stats_span`: per
certificate, each valid run at its holder's place and each issue or status change, with the place's region chain
and every dimension's value in columns (stats/live.py). The folded tables are emptied: the background fold
rebuilds every figure from the log with one whole-history fold (the statistics pages say so and answer once it is
done; `certbridge stats fold --whole` does it at once). The downgrade empties them again for the older version's
fold to rebuild its stored form.

Revision ID: 0018statsrows
Revises: 0017peerfinding
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018statsrows"
down_revision = "0017peerfinding"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FOLDED = ("stats_delta", "stats_pending", "stats_holder", "stats_certificate", "stats_cursor")


def upgrade() -> None:
    for table in FOLDED:
        op.execute(f"DELETE FROM {table}")
    op.create_table(
        "stats_span",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("certificate_id", BigInt, autoincrement=False, nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("holder_id", BigInt, nullable=False),
        sa.Column("scheme", sa.String(length=60), nullable=False),
        sa.Column("cert_type", sa.String(length=60), nullable=False),
        sa.Column("standard", sa.String(length=60), nullable=False),
        sa.Column("body", sa.String(length=60), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("chain", "measure", "start", "certificate_id", "part", name=op.f("pk_stats_span")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_stats_span_certificate", "stats_span", ["certificate_id"])


def downgrade() -> None:
    op.drop_index("ix_stats_span_certificate", table_name="stats_span")
    op.drop_table("stats_span")
    for table in FOLDED:
        op.execute(f"DELETE FROM {table}")
