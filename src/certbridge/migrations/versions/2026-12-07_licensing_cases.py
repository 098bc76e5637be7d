"""licensing cases: applications, changes, renewals and cancellations online, with steps, attachments, notices

Revision ID: 0014licensing
Revises: 0014trust
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0014licensing"
down_revision = "0014trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licensing_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("procedure", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("applicant_user_id", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_uscc", sa.String(length=18), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("application", sa.JSON(), nullable=False),
        sa.Column("handler", sa.String(length=60), nullable=True),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_provisional_year", sa.Integer(), nullable=True),
        sa.Column("missing", sa.Text(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("review_team", sa.JSON(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("licence_number", sa.String(length=30), nullable=True),
        sa.Column("licensing_record_id", sa.Integer(), nullable=True),
        sa.Column("verification_due_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["licensing_record_id"], ["licensing_record.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_licensing_case_applicant_user_id", "licensing_case", ["applicant_user_id"])
    op.create_index("ix_licensing_case_state", "licensing_case", ["state"])
    op.create_index("ix_licensing_case_subject_id", "licensing_case", ["subject_id"])
    op.create_table(
        "licensing_case_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_provisional_year", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["licensing_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_licensing_case_step_case_id", "licensing_case_step", ["case_id"])
    op.create_table(
        "licensing_case_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["licensing_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_licensing_case_attachment_case_id", "licensing_case_attachment", ["case_id"])
    op.create_table(
        "licensing_case_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("email_to", sa.String(length=200), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["licensing_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_licensing_case_notice_case_id", "licensing_case_notice", ["case_id"])


def downgrade() -> None:
    op.drop_table("licensing_case_notice")
    op.drop_table("licensing_case_attachment")
    op.drop_table("licensing_case_step")
    op.drop_table("licensing_case")
