"""riskapi: bodies' public commitments and annual reports (body_disclosure), their due rule as data
(disclosure_rule: the annual report by 31 March of the following year), the late_report risk signal's default
parameters, and the complaint's follow-up secret (its SHA-256) for the JSON API

Revision ID: 0015riskapi
Revises: 0014risk
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0015riskapi"
down_revision = "0015accreditation"
branch_labels = None
depends_on = None

# kind, due month, due day (of the year after the one reported on), first year reported on (risk/disclosures.py)
DEFAULT_RULES = [("annual_report", 3, 31, 2026)]
# signal, weight, threshold, window in days, raises a warning alone (risk/parameters.py)
LATE_REPORT = ("late_report", 150, 1.0, 1095, False)


def upgrade() -> None:
    op.create_table("body_disclosure",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("body_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("year", sa.Integer(), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("figures", sa.JSON(), nullable=False),
    sa.Column("filed_on", sa.Date(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("filed_by", sa.String(length=80), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_body_disclosure"))
    )
    op.create_index("ix_body_disclosure_body", "body_disclosure", ["body_id", "kind", "year"], unique=False)
    op.create_table("disclosure_rule",
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("due_month", sa.Integer(), nullable=False),
    sa.Column("due_day", sa.Integer(), nullable=False),
    sa.Column("first_year", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("kind", name=op.f("pk_disclosure_rule"))
    )
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("secret_hash", sa.String(length=64), nullable=True))
    rule = sa.table("disclosure_rule", sa.column("kind", sa.String), sa.column("due_month", sa.Integer),
                    sa.column("due_day", sa.Integer), sa.column("first_year", sa.Integer))
    op.bulk_insert(rule, [dict(zip(("kind", "due_month", "due_day", "first_year"), row)) for row in DEFAULT_RULES])
    parameter = sa.table("risk_parameter", sa.column("signal", sa.String), sa.column("weight", sa.Integer),
                         sa.column("threshold", sa.Double), sa.column("window_days", sa.Integer),
                         sa.column("warn", sa.Boolean))
    op.bulk_insert(parameter, [dict(zip(("signal", "weight", "threshold", "window_days", "warn"), LATE_REPORT))])


def downgrade() -> None:
    op.execute("DELETE FROM risk_parameter WHERE signal = 'late_report'")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("secret_hash")
    op.drop_table("disclosure_rule")
    op.drop_index("ix_body_disclosure_body", table_name="body_disclosure")
    op.drop_table("body_disclosure")
