"""assistance: 执法互助 requests between federated instances, the outbox of signed messages, messages taken in

Revision ID: 0016assist
Revises: 0015federation
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0016assist"
down_revision = "0015federation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_assistance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_attachments", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["peer_id"], ["federation_peer.id"],
                                name=op.f("fk_federation_assistance_peer_id_federation_peer"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_assistance")),
        sa.UniqueConstraint("peer_id", "message_id", name=op.f("uq_federation_assistance_peer_id_message_id")),
    )
    op.create_index(op.f("ix_federation_assistance_peer_id"), "federation_assistance", ["peer_id"], unique=False)
    op.create_table(
        "federation_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("assistance_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["peer_id"], ["federation_peer.id"],
                                name=op.f("fk_federation_outbox_peer_id_federation_peer"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assistance_id"], ["federation_assistance.id"],
                                name=op.f("fk_federation_outbox_assistance_id_federation_assistance"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_federation_outbox_message_id")),
    )
    op.create_index(op.f("ix_federation_outbox_peer_id"), "federation_outbox", ["peer_id"], unique=False)
    op.create_index(op.f("ix_federation_outbox_next_attempt_at"), "federation_outbox", ["next_attempt_at"],
                    unique=False)
    op.create_table(
        "federation_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["peer_id"], ["federation_peer.id"],
                                name=op.f("fk_federation_inbound_peer_id_federation_peer"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_inbound")),
        sa.UniqueConstraint("peer_id", "message_id", name=op.f("uq_federation_inbound_peer_id_message_id")),
    )


def downgrade() -> None:
    op.drop_table("federation_inbound")
    op.drop_index(op.f("ix_federation_outbox_next_attempt_at"), table_name="federation_outbox")
    op.drop_index(op.f("ix_federation_outbox_peer_id"), table_name="federation_outbox")
    op.drop_table("federation_outbox")
    op.drop_index(op.f("ix_federation_assistance_peer_id"), table_name="federation_assistance")
    op.drop_table("federation_assistance")
