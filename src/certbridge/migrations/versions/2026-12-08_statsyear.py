"""stats year: each figure's daily deltas also summed by year, so a figure on a date reads at most one year of days

A figure kept as deltas was the sum of every `stats_delta` row of its key up to the date: at 10 M certificates a key
has a row on most days since 2005 (~8,000-10,000), and the nation's overview sums 35 such keys twice. `stats_year`
holds, per key and year, the sum of that year's deltas: a figure on a date is the years before it plus the days of
its own year (stats/queries.py). It is filled here from `stats_delta` in one `INSERT … SELECT … GROUP BY` (nothing
is emptied or re-folded), then kept by every fold that writes `stats_delta`.

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


def upgrade() -> None:
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
    sqlite = op.get_bind().dialect.name == "sqlite"
    year = "CAST(substr(day, 1, 4) AS INTEGER)" if sqlite else "CAST(EXTRACT(YEAR FROM day) AS INTEGER)"
    op.execute(f"INSERT INTO stats_year (measure, region, dim, value, year, delta) "
               f"SELECT measure, region, dim, value, {year}, SUM(delta) FROM stats_delta "
               f"GROUP BY measure, region, dim, value, {year} HAVING SUM(delta) <> 0 "
               f"ORDER BY measure, region, dim, value, {year}")


def downgrade() -> None:
    op.drop_table("stats_year")
