"""risk state: per-certificate and per-audit rows of what the risk signals counted, per-subject tallies and
counts kept by each event (risk/state.py), and the day of the last full recompute (the leader's daily job)

Revision ID: 0016risk
Revises: 0016mutual
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016risk"
down_revision = "0016mutual"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_cursor") as batch:
        batch.add_column(sa.Column("recomputed_on", sa.Date(), nullable=True))
    op.create_table(
        "risk_certificate",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("first_issued_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_risk_certificate")),
    )
    op.create_index("ix_risk_certificate_body_suspended", "risk_certificate", ["body_id", "suspended_on", "certificate_id"])
    op.create_index("ix_risk_certificate_org_suspended", "risk_certificate", ["organization_id", "suspended_on", "certificate_id"])
    op.create_table(
        "risk_audit",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("short_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_risk_audit")),
    )
    op.create_index("ix_risk_audit_body_short", "risk_audit", ["body_id", "short_on", "audit_id"])
    op.create_index("ix_risk_audit_certificate", "risk_audit", ["certificate_id"])
    op.create_table(
        "risk_tally",
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "measure", "day", name=op.f("pk_risk_tally")),
    )
    op.create_table(
        "risk_count",
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "measure", name=op.f("pk_risk_count")),
    )


def downgrade() -> None:
    op.drop_table("risk_count")
    op.drop_table("risk_tally")
    op.drop_index("ix_risk_audit_certificate", table_name="risk_audit")
    op.drop_index("ix_risk_audit_body_short", table_name="risk_audit")
    op.drop_table("risk_audit")
    op.drop_index("ix_risk_certificate_org_suspended", table_name="risk_certificate")
    op.drop_index("ix_risk_certificate_body_suspended", table_name="risk_certificate")
    op.drop_table("risk_certificate")
    with op.batch_alter_table("risk_cursor") as batch:
        batch.drop_column("recomputed_on")
