"""limits: per-key request quotas and the per-account sign-in throttle

Revision ID: 0008signinlimits
Revises: 0007inputs
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0008signinlimits"
down_revision = "0007inputs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("quota_per_minute", sa.Integer(), nullable=True))
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttle")),
        sa.UniqueConstraint("account_key", name=op.f("uq_sign_in_throttle_account_key")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("quota_per_minute")
