"""lablegal: a lab's legal representative (name public, ID document as a keyed hash); withdrawn relationships

Labs had no legal representative: the name is public on the lab's record, the ID document is kept only as the
keyed fingerprint bodies use (registry.identity). Existing labs get neither (NULL) until a 法定代表人变更 case
records them. A declared inspector relationship can be withdrawn with a reason (the regulator's console).

Revision ID: 0016lablegal
Revises: 0016map
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016lablegal"
down_revision = "0016map"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lab", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_representative", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("legal_rep_fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_lab_legal_rep_fingerprint"), ["legal_rep_fingerprint"], unique=False)
    with op.batch_alter_table("inspector_relationship", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspector_relationship", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_on")
    with op.batch_alter_table("lab", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_legal_rep_fingerprint"))
        batch_op.drop_column("legal_rep_fingerprint")
        batch_op.drop_column("legal_representative")
