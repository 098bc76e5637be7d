"""stats pending: the inline fold's delta rows kept as one row per write until the next catch-up adds them

The fold riding in each write's checkpoint transaction wrote ~170 `stats_delta` rows per suspension (4 region
levels × 6 dimensions × the measure-days it moves); it now writes one `stats_pending` row holding those rows at
the holder's own region (with the chain of regions they count in), and the background catch-up adds the rows of
many writes to `stats_delta` in one coalesced upsert (stats/fold.py `roll_up`). What `stats_delta` means is
unchanged — the same rows at every level, summed by the same queries — so nothing is emptied or re-folded: the
upgrade only creates an empty table and start-up is not delayed, whatever the size of the database.

Revision ID: 0017stats
Revises: 0016lablegal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017stats"
down_revision = "0016lablegal"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stats_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_pending")),
    )


def downgrade() -> None:
    # Pending rows are figures not yet in stats_delta: without them the stored figures are incomplete, so the folded
    # tables are emptied and the background fold of the older version rebuilds them from the log.
    for table in ("stats_delta", "stats_holder", "stats_certificate", "stats_cursor"):
        op.execute(f"DELETE FROM {table}")
    op.drop_table("stats_pending")
