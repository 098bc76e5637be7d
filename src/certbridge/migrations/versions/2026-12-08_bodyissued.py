"""body issued: certificates indexed by body and issue date

A body's annual report counts the certificates it issued in the year, and the risk signal "issued while
restricted" lists a body's certificates issued in a window. Through `ix_certificate_body_status` both read every
certificate of the body and then each row for its issue date: at 10 M certificates, seconds for a large body,
and most of the demo build's disclosure step. `(body_id, issued_on)` answers both from the index.

Revision ID: 0020bodyissued
Revises: 0019statsyear
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0020bodyissued"
down_revision = "0019statsyear"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_certificate_body_issued", "certificate", ["body_id", "issued_on"])


def downgrade() -> None:
    op.drop_index("ix_certificate_body_issued", table_name="certificate")
