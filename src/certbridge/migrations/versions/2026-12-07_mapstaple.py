"""mapstaple: state map v2 — persons and labs in the map, organizations by USCC; the map is rebuilt from the log

Map v2 names organizations by their 统一社会信用代码 (`organization:<USCC>`, v1 had `organization:<id>`) and adds
person registrations (`person:<number>`) and labs (`lab:<CMA number>`), so the map of an upgraded instance is
not the v1 map plus new entries: it is emptied here, and the integrator folds the whole log into it again in
batches before it signs the next checkpoint that carries a map line (ledger/integrate.py catch_up_map), now
`certbridge-state-map/v2`. Checkpoints signed before keep their v1 line and stay verifiable as they were.
No schema change.

Revision ID: 0017mapstaple
Revises: 0017stats
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0017mapstaple"
down_revision = "0017stats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM ledger_map_chunk")
    op.execute("DELETE FROM ledger_map")


def downgrade() -> None:
    # the v1 map is rebuilt by the v1 code the same way: emptied, then folded again from the log
    op.execute("DELETE FROM ledger_map_chunk")
    op.execute("DELETE FROM ledger_map")
