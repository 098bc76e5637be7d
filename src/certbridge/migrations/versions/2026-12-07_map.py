"""private ledger entries in committed form: a random nonce per private event

Revision ID: 0016map
Revises: 0016risk
Create Date: 2026-12-07 00:00:00

A private event written from now on is hashed into the log as its committed form (ledger/private_entries.py):
its leaf covers SHA-256 of the nonce and the body, not the body, so the tlog-tiles entry bundles can publish an
entry that hashes to the leaf. Events written before keep no nonce and their earlier leaves (a log is never
rewritten); the tiles serve those as redaction markers, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016map"
down_revision = "0016risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.LargeBinary(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_event", schema=None) as batch_op:
        batch_op.drop_column("nonce")
