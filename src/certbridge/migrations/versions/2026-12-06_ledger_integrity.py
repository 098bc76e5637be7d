"""ledger: the integrity monitor's watermarks and findings (ledger_integrity)

Revision ID: 0009ledgerintegrity
Revises: 0008signinlimits
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0009ledgerintegrity"
down_revision = "0008signinlimits"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_integrity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_seq", BigInt, nullable=False),
        sa.Column("checked_tree", BigInt, nullable=False),
        sa.Column("checked_certificate", BigInt, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.Column("degraded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_integrity")),
    )


def downgrade() -> None:
    op.drop_table("ledger_integrity")
