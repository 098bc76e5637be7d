"""state map: the ledger's authenticated map of each subject's latest event, and its root in checkpoints

Revision ID: 0014statemap
Revises: 0013effstatus
Create Date: 2026-12-07 00:00:00

The map starts empty; the integrator folds the existing log into it in batches before it signs the next
checkpoint (ledger/integrate.py catch_up_map), so an upgraded instance needs no separate step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014statemap"
down_revision = "0013effstatus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_map_chunk",
        sa.Column("path", sa.LargeBinary(length=64), nullable=False),
        sa.Column("chunk", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_ledger_map_chunk")),
    )
    op.create_table(
        "ledger_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_map")),
    )
    with op.batch_alter_table("ledger_checkpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("map_root", sa.LargeBinary(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_checkpoint", schema=None) as batch_op:
        batch_op.drop_column("map_root")
    op.drop_table("ledger_map")
    op.drop_table("ledger_map_chunk")
