"""workdays: entered holiday notices; deadlines remember the provisional year they were counted through

Revision ID: 0012workdays
Revises: 0011jobs
Create Date: 2026-12-06 20:00:00

`deadline_problem_year` (the year that kept a deadline from being computed) becomes
`deadline_provisional_year` (the first provisional year a computed deadline ran through); a row left
without a deadline by the old calendar is computed by `certbridge workdays recompute`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0012workdays"
down_revision = "0011jobs"
branch_labels = None
depends_on = None

TABLES = ("inspection_task", "penalty", "licensing_record")


def upgrade() -> None:
    op.create_table(
        "workday_notice",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_workday_notice")),
    )
    for table in TABLES:  # RENAME COLUMN: SQLite 3.25+ and PostgreSQL, no table rebuild
        op.execute(f"ALTER TABLE {table} RENAME COLUMN deadline_problem_year TO deadline_provisional_year")
    for table in ("penalty", "licensing_record"):
        op.add_column(table, sa.Column("withdrawal_provisional_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ("penalty", "licensing_record"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("withdrawal_provisional_year")
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN deadline_provisional_year TO deadline_problem_year")
    op.drop_table("workday_notice")
