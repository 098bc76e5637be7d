"""trust: a body's revocation gives its certificates a grace period, never a re-application block

Revision ID: 0014trust
Revises: 0014statemap
Create Date: 2026-12-07 00:00:00

DOMAIN.md's "after the CB's own approval is revoked, 3 months" is the scheme's `body_revoked_grace_months`
(the certificates stay valid and may move to another body); a certificate withdrawn because its body's approval
ended blocks nobody (docs/effective-status.md). `scheme.body_revoked_block_months` had no other use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014trust"
down_revision = "0014statemap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.drop_column("body_revoked_block_months")


def downgrade() -> None:
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_revoked_block_months", sa.Integer(), nullable=False, server_default="3"))
