"""stats: the fold cursor, folded certificates and holders, daily deltas, targets and monthly reports

Revision ID: 0014stats
Revises: 0014feeds
Create Date: 2026-12-07 00:00:00

The tables start empty: the first fold after the upgrade reads the whole log (`certbridge stats recompute`
does the same on demand).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0014stats"
down_revision = "0014feeds"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stats_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("folded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_cursor")),
    )
    op.create_table(
        "stats_certificate",
        sa.Column("certificate_id", BigInt, autoincrement=False, nullable=False),
        sa.Column("holder_id", BigInt, nullable=False),
        sa.Column("body_id", BigInt, nullable=True),
        sa.Column("folded", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_stats_certificate")),
    )
    op.create_index("ix_stats_certificate_holder", "stats_certificate", ["holder_id"])
    op.create_index(op.f("ix_stats_certificate_body_id"), "stats_certificate", ["body_id"])
    op.create_table(
        "stats_holder",
        sa.Column("holder_id", BigInt, autoincrement=False, nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("holder_id", name=op.f("pk_stats_holder")),
    )
    op.create_table(
        "stats_delta",
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=False),
        sa.Column("dim", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("measure", "region", "dim", "value", "day", name=op.f("pk_stats_delta")),
    )
    op.create_table(
        "stats_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("reference", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_target")),
    )
    op.create_index(op.f("ix_stats_target_region_code"), "stats_target", ["region_code"])
    op.create_table(
        "stats_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("tree_size", BigInt, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_report")),
    )
    op.create_index("ix_stats_report_region_month", "stats_report", ["region_code", "month"], unique=True)


def downgrade() -> None:
    for table in ("stats_report", "stats_target", "stats_delta", "stats_holder", "stats_certificate", "stats_cursor"):
        op.drop_table(table)
