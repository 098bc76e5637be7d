"""accreditation: accreditation bodies with their IAF MLA / ILAC MRA scopes (seeded), certificates under
accreditation, foreign bodies and holders (country, home-register key), demonstration zones and regional brands

Revision ID: 0015accreditation
Revises: 0014risk
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from certbridge.accreditation.reference import ACCREDITATION_BODIES
from certbridge.db import UTCDateTime

revision = "0015accreditation"
down_revision = "0015perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accreditation_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_body")),
        sa.UniqueConstraint("code", name=op.f("uq_accreditation_body_code")),
    )
    op.create_table(
        "accreditation_scope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("main_scope", sa.String(length=10), nullable=False),
        sa.Column("sub_scope", sa.String(length=10), nullable=False),
        sa.Column("arrangement", sa.String(length=10), nullable=True),
        sa.Column("signatory_since", sa.Date(), nullable=True),
        sa.Column("signatory_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["accreditation_body.id"],
                                name=op.f("fk_accreditation_scope_body_id_accreditation_body"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_scope")),
        sa.UniqueConstraint("body_id", "main_scope", "sub_scope",
                            name=op.f("uq_accreditation_scope_body_id_main_scope_sub_scope")),
    )
    with op.batch_alter_table("accreditation_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accreditation_scope_body_id"), ["body_id"], unique=False)
    op.create_table(
        "regional_brand",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("schemes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regional_brand")),
    )
    op.create_table(
        "demonstration_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("schemes", sa.JSON(), nullable=False),
        sa.Column("designated_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demonstration_zone")),
        sa.UniqueConstraint("code", name=op.f("uq_demonstration_zone_code")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accreditation_body_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accreditation_number", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("brand_code", sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f("ix_certificate_brand_code"), ["brand_code"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_certificate_accreditation_body_id_accreditation_body"),
                                    "accreditation_body", ["accreditation_body_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_certificate_brand_code_regional_brand"),
                                    "regional_brand", ["brand_code"], ["code"])
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("foreign_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    _seed()


def _seed() -> None:
    bodies = sa.table("accreditation_body", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("name", sa.String), sa.column("name_en", sa.String), sa.column("country", sa.String),
                      sa.column("website", sa.String), sa.column("note", sa.String),
                      sa.column("created_at", UTCDateTime), sa.column("updated_at", UTCDateTime))
    scopes = sa.table("accreditation_scope", sa.column("body_id", sa.Integer), sa.column("main_scope", sa.String),
                      sa.column("sub_scope", sa.String), sa.column("arrangement", sa.String),
                      sa.column("signatory_since", sa.Date), sa.column("signatory_until", sa.Date))
    stamp = datetime(2026, 12, 7, tzinfo=timezone.utc)
    op.bulk_insert(bodies, [
        {"id": i, "code": b["code"], "name": b["name"], "name_en": b["name_en"], "country": b["country"],
         "website": b["website"], "note": b.get("note"), "created_at": stamp, "updated_at": stamp}
        for i, b in enumerate(ACCREDITATION_BODIES, start=1)])
    op.bulk_insert(scopes, [
        {"body_id": i, "main_scope": main, "sub_scope": sub, "arrangement": arrangement,
         "signatory_since": since, "signatory_until": until}
        for i, b in enumerate(ACCREDITATION_BODIES, start=1)
        for main, sub, arrangement, since, until in b["scopes"]])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('accreditation_body', 'id'), "
                   "(SELECT max(id) FROM accreditation_body))")


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("country")
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.drop_column("foreign_id")
        batch_op.drop_column("country")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificate_brand_code_regional_brand"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_certificate_accreditation_body_id_accreditation_body"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_certificate_brand_code"))
        batch_op.drop_column("brand_code")
        batch_op.drop_column("country")
        batch_op.drop_column("accreditation_number")
        batch_op.drop_column("accreditation_body_id")
    op.drop_table("demonstration_zone")
    op.drop_table("regional_brand")
    with op.batch_alter_table("accreditation_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_scope_body_id"))
    op.drop_table("accreditation_scope")
    op.drop_table("accreditation_body")
