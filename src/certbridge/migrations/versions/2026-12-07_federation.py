"""federation: peer instances (keys, URL, proven checkpoint) and the records mirrored from them

Revision ID: 0015federation
Revises: 0014risk
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0015federation"
down_revision = "0015riskapi"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "federation_peer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=250), nullable=False),
        sa.Column("verifier_key", sa.String(length=300), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("witness", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("verified_size", BigInt, nullable=False),
        sa.Column("verified_root", sa.LargeBinary(length=32), nullable=True),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("problem", sa.String(length=40), nullable=True),
        sa.Column("problem_detail", sa.Text(), nullable=True),
        sa.Column("problem_at", UTCDateTime(), nullable=True),
        sa.Column("last_contact_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_peer")),
        sa.UniqueConstraint("name", name=op.f("uq_federation_peer_name")),
    )
    op.create_table(
        "federation_record",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("first_seq", BigInt, nullable=False),
        sa.Column("last_seq", BigInt, nullable=False),
        sa.ForeignKeyConstraint(["peer_id"], ["federation_peer.id"],
                                name=op.f("fk_federation_record_peer_id_federation_peer"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_record")),
        sa.UniqueConstraint("peer_id", "subject_type", "subject_id",
                            name=op.f("uq_federation_record_peer_id_subject_type_subject_id")),
    )
    op.create_index("ix_federation_record_key", "federation_record", ["subject_type", "key"], unique=False)
    op.create_index("ix_federation_record_parent", "federation_record", ["peer_id", "parent_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_federation_record_parent", table_name="federation_record")
    op.drop_index("ix_federation_record_key", table_name="federation_record")
    op.drop_table("federation_record")
    op.drop_table("federation_peer")
