"""open data: API keys' daily quotas and daily usage of the open-data API

Revision ID: 0014opendata
Revises: 0014qidata
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014opendata"
down_revision = "0014qidata"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opendata_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("requests_per_day", sa.Integer(), nullable=True),
        sa.Column("rows_per_day", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_quota")),
        sa.UniqueConstraint("key_id", name=op.f("uq_opendata_quota_key_id")),
    )
    op.create_table(
        "opendata_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_usage")),
        sa.UniqueConstraint("subject", "day", name=op.f("uq_opendata_usage_subject_day")),
    )


def downgrade() -> None:
    op.drop_table("opendata_usage")
    op.drop_table("opendata_quota")
