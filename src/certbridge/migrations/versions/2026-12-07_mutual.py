"""mutual recognition of supervision: the per-peer switch (监管互认)

Revision ID: 0016mutual
Revises: 0016statsfold
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0016mutual"
down_revision = "0016statsfold"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_recognition",
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("recognize", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["peer_id"], ["federation_peer.id"],
                                name=op.f("fk_federation_recognition_peer_id_federation_peer"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("peer_id", name=op.f("pk_federation_recognition")),
    )


def downgrade() -> None:
    op.drop_table("federation_recognition")
