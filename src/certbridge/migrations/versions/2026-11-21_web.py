"""web: sign-in sessions, staged uploads, fake-certificate reports

Revision ID: 0003web
Revises: 0002ledger
Create Date: 2026-11-21 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0003web"
down_revision = "0002ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_web_session_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["web_session.id"], name=op.f("fk_web_upload_session_id_web_session"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["body_id"], ["certification_body.id"],
                                name=op.f("fk_web_upload_body_id_certification_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_upload")),
    )
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_upload_session_id"), ["session_id"], unique=False)

    op.create_table(
        "fake_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("body_ref", sa.String(length=60), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("where_seen", sa.Text(), nullable=True),
        sa.Column("verification_outcome", sa.String(length=12), nullable=False),
        sa.Column("verification_reason", sa.String(length=40), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fake_report")),
    )


def downgrade() -> None:
    op.drop_table("fake_report")
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_upload_session_id"))
    op.drop_table("web_upload")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
    op.drop_table("web_session")
