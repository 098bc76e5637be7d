"""identity: ID-document fingerprints of people and bodies' legal representatives; bodies found by USCC

Bans and permanent exits bind an identity, not a record (DOMAIN.md "Identity, bans and exits"). Existing
rows get no fingerprint (NULL): they were registered without an ID document, so they are identified by
their own record and their registration numbers only, until a regulator records the document.

Revision ID: 0010identity
Revises: 0009ledgerintegrity
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010identity"
down_revision = "0009ledgerintegrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_id_fingerprint"), ["id_fingerprint"], unique=False)
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_rep_fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_certification_body_legal_rep_fingerprint"), ["legal_rep_fingerprint"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_certification_body_uscc"), ["uscc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_body_uscc"))
        batch_op.drop_index(batch_op.f("ix_certification_body_legal_rep_fingerprint"))
        batch_op.drop_column("legal_rep_fingerprint")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_id_fingerprint"))
        batch_op.drop_column("id_fingerprint")
