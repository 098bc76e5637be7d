"""peer finding source: whether a peer's problem was found by a whole-log audit or by an incremental round

An incremental round reads only entries it has not proven yet, so it cannot see an entry withheld or altered
*after* it was mirrored; only an audit (which re-reads the whole feed) can. Until now the next clean round
cleared such a finding within seconds. `problem_source` ("audit" or "round") lets a round clear only what a
round found; a clean audit clears either. Existing findings are kept as round findings (the old behaviour).

Revision ID: 0017peerfinding
Revises: 0017mapstaple
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017peerfinding"
down_revision = "0017mapstaple"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("federation_peer") as batch:
        batch.add_column(sa.Column("problem_source", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("federation_peer") as batch:
        batch.drop_column("problem_source")
