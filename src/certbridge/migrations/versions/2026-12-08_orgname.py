"""org name: organizations indexed by their normalized name

A supplier list's rows named by exact name (`opendata/matching.py`) look organizations up by `search_name`, which
had no index: every 500 names scanned the whole organization table (at 10 M certificates, 1.45 M rows; most of a
10,000-row list's matching). The index makes each name one look-up.

Revision ID: 0021orgname
Revises: 0020bodyissued
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0021orgname"
down_revision = "0020bodyissued"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_organization_search_name", "organization", ["search_name"])


def downgrade() -> None:
    op.drop_index("ix_organization_search_name", table_name="organization")
