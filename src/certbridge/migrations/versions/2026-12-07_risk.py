"""risk: complaints with tracking numbers, evidence and deadlines; risk signals, scores, early warnings, consumer
alerts; the default weights and thresholds (risk_parameter) and shortest audits (risk_audit_minimum) as data

Revision ID: 0014risk
Revises: 0014stats
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime


revision = "0014risk"
down_revision = "0014stats"
branch_labels = None
depends_on = None

# signal, weight (points at the threshold), threshold, window in days, raises a warning alone (risk/parameters.py)
DEFAULT_PARAMETERS = [
    ("complaints", 150, 3.0, 365, False),
    ("complaint_rate", 100, 5.0, 365, False),
    ("suspensions", 100, 3.0, 365, False),
    ("failed_checks", 200, 1.0, 730, False),
    ("penalties", 250, 1.0, 1095, False),
    ("issued_while_restricted", 400, 1.0, 1095, True),
    ("pace", 150, 3.0, 365, False),
    ("auditor_load", 150, 220.0, 365, False),
    ("short_audits", 200, 1.0, 730, True),
    ("double_booked", 400, 1.0, 730, True),
    ("score", 0, 500.0, 0, True),
]
# the shortest audit in calendar days by scheme ("*": every scheme) and audit kind
DEFAULT_MINIMUMS = [("*", "initial", 2), ("*", "recertification", 2), ("*", "surveillance", 1),
                    ("CCC", "initial", 1)]


def upgrade() -> None:
    op.create_table("complaint",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("tracking_number", sa.String(length=24), nullable=False),
    sa.Column("subject_kind", sa.String(length=12), nullable=False),
    sa.Column("subject_text", sa.String(length=200), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("certificate_id", sa.Integer(), nullable=True),
    sa.Column("organization_id", sa.Integer(), nullable=True),
    sa.Column("body_id", sa.Integer(), nullable=True),
    sa.Column("contact", sa.String(length=200), nullable=True),
    sa.Column("region_code", sa.String(length=6), nullable=True),
    sa.Column("status", sa.String(length=14), nullable=False),
    sa.Column("filed_on", sa.Date(), nullable=False),
    sa.Column("accept_due_on", sa.Date(), nullable=False),
    sa.Column("accepted_on", sa.Date(), nullable=True),
    sa.Column("verify_due_on", sa.Date(), nullable=True),
    sa.Column("verify_extended", sa.Boolean(), nullable=False),
    sa.Column("mediation_due_on", sa.Date(), nullable=True),
    sa.Column("result", sa.String(length=20), nullable=True),
    sa.Column("result_note", sa.Text(), nullable=True),
    sa.Column("closed_on", sa.Date(), nullable=True),
    sa.Column("ip_hash", sa.String(length=64), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    sa.UniqueConstraint("tracking_number", name=op.f("uq_complaint_tracking_number"))
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_certificate_id"), ["certificate_id"], unique=False)
        batch_op.create_index("ix_complaint_ip_day", ["ip_hash", "filed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index("ix_complaint_status", ["status"], unique=False)

    op.create_table("consumer_alert",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("advice", sa.Text(), nullable=False),
    sa.Column("products", sa.Text(), nullable=True),
    sa.Column("certificate_ids", sa.JSON(), nullable=False),
    sa.Column("body_ids", sa.JSON(), nullable=False),
    sa.Column("authority", sa.String(length=200), nullable=False),
    sa.Column("published_on", sa.Date(), nullable=False),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("withdrawn_on", sa.Date(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_alert"))
    )
    op.create_table("early_warning",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("subject_type", sa.String(length=20), nullable=False),
    sa.Column("subject_id", sa.Integer(), nullable=False),
    sa.Column("subject_name", sa.String(length=200), nullable=False),
    sa.Column("reason", sa.String(length=30), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.Column("fingerprint", sa.String(length=64), nullable=False),
    sa.Column("region_code", sa.String(length=6), nullable=True),
    sa.Column("authority", sa.String(length=200), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("decision_reason", sa.Text(), nullable=True),
    sa.Column("raised_on", sa.Date(), nullable=False),
    sa.Column("decided_on", sa.Date(), nullable=True),
    sa.Column("decided_by", sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_early_warning"))
    )
    with op.batch_alter_table("early_warning", schema=None) as batch_op:
        batch_op.create_index("ix_early_warning_status", ["status", "region_code"], unique=False)
        batch_op.create_index("ix_early_warning_subject", ["subject_type", "subject_id", "reason"], unique=False)

    op.create_table("risk_audit_minimum",
    sa.Column("scheme_code", sa.String(length=20), nullable=False),
    sa.Column("audit_kind", sa.String(length=16), nullable=False),
    sa.Column("min_days", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("scheme_code", "audit_kind", name=op.f("pk_risk_audit_minimum"))
    )
    op.create_table("risk_cursor",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_cursor"))
    )
    op.create_table("risk_parameter",
    sa.Column("signal", sa.String(length=30), nullable=False),
    sa.Column("weight", sa.Integer(), nullable=False),
    sa.Column("threshold", sa.Double(), nullable=False),
    sa.Column("window_days", sa.Integer(), nullable=False),
    sa.Column("warn", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("signal", name=op.f("pk_risk_parameter"))
    )
    op.create_table("risk_score",
    sa.Column("subject_type", sa.String(length=20), nullable=False),
    sa.Column("subject_id", sa.Integer(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("risk_class", sa.String(length=1), nullable=False),
    sa.Column("computed_on", sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint("subject_type", "subject_id", name=op.f("pk_risk_score"))
    )
    with op.batch_alter_table("risk_score", schema=None) as batch_op:
        batch_op.create_index("ix_risk_score_class", ["subject_type", "risk_class"], unique=False)

    op.create_table("risk_signal",
    sa.Column("subject_type", sa.String(length=20), nullable=False),
    sa.Column("subject_id", sa.Integer(), nullable=False),
    sa.Column("signal", sa.String(length=30), nullable=False),
    sa.Column("value", sa.Double(), nullable=False),
    sa.Column("triggered", sa.Boolean(), nullable=False),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("subject_type", "subject_id", "signal", name=op.f("pk_risk_signal"))
    )
    op.create_table("complaint_evidence",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("complaint_id", sa.Integer(), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("filename", sa.String(length=200), nullable=False),
    sa.Column("content_type", sa.String(length=40), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], name=op.f("fk_complaint_evidence_complaint_id_complaint"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_evidence"))
    )
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_evidence_complaint_id"), ["complaint_id"], unique=False)

    op.create_table("complaint_link",
    sa.Column("complaint_id", sa.Integer(), nullable=False),
    sa.Column("target_type", sa.String(length=20), nullable=False),
    sa.Column("target_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], name=op.f("fk_complaint_link_complaint_id_complaint"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("complaint_id", "target_type", "target_id", name=op.f("pk_complaint_link"))
    )

    parameter = sa.table("risk_parameter", sa.column("signal", sa.String), sa.column("weight", sa.Integer),
                         sa.column("threshold", sa.Double), sa.column("window_days", sa.Integer),
                         sa.column("warn", sa.Boolean))
    op.bulk_insert(parameter, [dict(zip(("signal", "weight", "threshold", "window_days", "warn"), row))
                               for row in DEFAULT_PARAMETERS])
    minimum = sa.table("risk_audit_minimum", sa.column("scheme_code", sa.String), sa.column("audit_kind", sa.String),
                       sa.column("min_days", sa.Integer))
    op.bulk_insert(minimum, [{"scheme_code": s, "audit_kind": k, "min_days": d} for s, k, d in DEFAULT_MINIMUMS])


def downgrade() -> None:
    op.drop_table("complaint_link")
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_evidence_complaint_id"))

    op.drop_table("complaint_evidence")
    op.drop_table("risk_signal")
    with op.batch_alter_table("risk_score", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_score_class")

    op.drop_table("risk_score")
    op.drop_table("risk_parameter")
    op.drop_table("risk_cursor")
    op.drop_table("risk_audit_minimum")
    with op.batch_alter_table("early_warning", schema=None) as batch_op:
        batch_op.drop_index("ix_early_warning_subject")
        batch_op.drop_index("ix_early_warning_status")

    op.drop_table("early_warning")
    op.drop_table("consumer_alert")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_status")
        batch_op.drop_index(batch_op.f("ix_complaint_organization_id"))
        batch_op.drop_index("ix_complaint_ip_day")
        batch_op.drop_index(batch_op.f("ix_complaint_certificate_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_body_id"))

    op.drop_table("complaint")
