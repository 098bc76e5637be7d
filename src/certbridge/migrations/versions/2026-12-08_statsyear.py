"""stats year: each figure's deltas also summed by year, and the counties' key figures kept as deltas again

A figure kept as deltas was the sum of every `stats_delta` row of its key up to the date: at 10 M certificates a key
has a row on most days since 2005 (~8,000-10,000), and the nation's overview sums 35 such keys twice. `stats_year`
holds, per key and year, the sum of that year's deltas: a figure on a date is the years before it plus the days of
its own year (stats/queries.py). The counties' valid certificates and certified organizations (dimension "all") are
kept as deltas again (`contributions.kept_as_delta`): counted from `stats_span` on the date, a large city's
drill-down read its whole register (~30,000 certificates at 10 M). Both are written by the fold, so the folded
tables are emptied, as `0018statsrows` did: the background fold rebuilds every figure from the log with one whole
fold (the statistics pages say so meanwhile; `certbridge stats fold --whole` does it at once). The downgrade empties
them again for the older version's fold to rebuild its own form.

Revision ID: 0019statsyear
Revises: 0018statsrows
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019statsyear"
down_revision = "0018statsrows"
branch_labels = None
depends_on = None

FOLDED = ("stats_delta", "stats_span", "stats_pending", "stats_holder", "stats_certificate", "stats_cursor")


def upgrade() -> None:
    for table in FOLDED:
        op.execute(f"DELETE FROM {table}")
    op.create_table(
        "stats_year",
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=False),
        sa.Column("dim", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("measure", "region", "dim", "value", "year", name=op.f("pk_stats_year")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("stats_year")
    for table in FOLDED:
        op.execute(f"DELETE FROM {table}")
