"""relationships: an inspector's declared relationship may name a party outside the registry (an applicant for a
licence) by name and USCC; object_type/object_id become optional

Revision ID: 0015relationships
Revises: 0014risk
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015relationships"
down_revision = "0014risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the party's name and USCC; let a declaration name a party instead of a registry record."""
    with op.batch_alter_table("inspector_relationship", schema=None) as batch_op:
        batch_op.add_column(sa.Column("party_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("party_uscc", sa.String(length=18), nullable=True))
        batch_op.alter_column("object_type", existing_type=sa.String(length=20), nullable=True)
        batch_op.alter_column("object_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_inspector_relationship_party_uscc"), ["party_uscc"], unique=False)


def downgrade() -> None:
    """Drop the party columns (declarations by party alone go with them)."""
    op.execute("DELETE FROM inspector_relationship WHERE object_id IS NULL")
    with op.batch_alter_table("inspector_relationship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspector_relationship_party_uscc"))
        batch_op.alter_column("object_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("object_type", existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column("party_uscc")
        batch_op.drop_column("party_name")
