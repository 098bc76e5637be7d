"""feeds: watch-lists with their durable cursor into the log, and the delivery log

Revision ID: 0014feeds
Revises: 0014opendata
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0014feeds"
down_revision = "0014opendata"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feed_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("cursor", BigInt, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_feed_watch_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_watch")),
    )
    op.create_index("ix_feed_watch_user", "feed_watch", ["user_id"], unique=False)
    op.create_table(
        "feed_delivery",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("seq", BigInt, nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["watch_id"], ["feed_watch.id"], name=op.f("fk_feed_delivery_watch_id_feed_watch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_delivery")),
        sa.UniqueConstraint("watch_id", "seq", "channel", name=op.f("uq_feed_delivery_watch_id_seq_channel")),
    )
    op.create_index("ix_feed_delivery_due", "feed_delivery", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feed_delivery_due", table_name="feed_delivery")
    op.drop_table("feed_delivery")
    op.drop_index("ix_feed_watch_user", table_name="feed_watch")
    op.drop_table("feed_watch")
