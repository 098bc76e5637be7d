"""ledger: stored hashes, tree state, checkpoints, keys, witnesses

Revision ID: 0002ledger
Revises: 0001core
Create Date: 2026-11-21 17:00:00
"""

from __future__ import annotations

from datetime import datetime, timezone
from hashlib import sha256

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0002ledger"
down_revision = "0001core"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_hash",
        sa.Column("idx", BigInt, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_ledger_hash")),
    )
    tree = op.create_table(
        "ledger_tree",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_tree")),
    )
    # The one tree row exists from the start, so integrators only ever lock it, never race to create it.
    op.bulk_insert(tree, [{"id": 1, "size": 0, "root_hash": sha256(b"").digest(),
                           "updated_at": datetime(1970, 1, 1, tzinfo=timezone.utc)}])
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoint")),
    )
    with op.batch_alter_table("ledger_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_checkpoint_size"), ["size"], unique=False)
    op.create_table(
        "ledger_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("verifier_key", sa.String(length=300), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_key")),
        sa.UniqueConstraint("verifier_key", name=op.f("uq_ledger_key_verifier_key")),
    )
    op.create_table(
        "ledger_witness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("verifier_key", sa.String(length=300), nullable=False),
        sa.Column("last_size", BigInt, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_contact_at", UTCDateTime(), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_witness")),
        sa.UniqueConstraint("verifier_key", name=op.f("uq_ledger_witness_verifier_key")),
    )
    op.create_table(
        "ledger_witnessed_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("verifier_keys", sa.Text(), nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_witnessed_log")),
        sa.UniqueConstraint("origin", name=op.f("uq_ledger_witnessed_log_origin")),
    )
    op.create_table(
        "ledger_cosignature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", BigInt, nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("timestamp", BigInt, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_id"], ["ledger_checkpoint.id"],
                                name=op.f("fk_ledger_cosignature_checkpoint_id_ledger_checkpoint"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["witness_id"], ["ledger_witness.id"],
                                name=op.f("fk_ledger_cosignature_witness_id_ledger_witness"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_cosignature")),
        sa.UniqueConstraint("checkpoint_id", "witness_id",
                            name=op.f("uq_ledger_cosignature_checkpoint_id_witness_id")),
    )
    with op.batch_alter_table("ledger_cosignature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_cosignature_checkpoint_id"), ["checkpoint_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_cosignature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_cosignature_checkpoint_id"))
    op.drop_table("ledger_cosignature")
    op.drop_table("ledger_witnessed_log")
    op.drop_table("ledger_witness")
    op.drop_table("ledger_key")
    with op.batch_alter_table("ledger_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_checkpoint_size"))
    op.drop_table("ledger_checkpoint")
    op.drop_table("ledger_tree")
    op.drop_table("ledger_hash")
