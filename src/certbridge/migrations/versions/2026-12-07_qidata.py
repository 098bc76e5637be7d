"""qidata: standards service, proficiency testing, scheme grades, organization classes (issue #24)

Revision ID: 0014qidata
Revises: 0014licensing
Create Date: 2026-12-07 00:00:00

Additive only: new tables (standard equivalences, proficiency schemes/rounds/results, scheme grades) and
nullable or defaulted columns (standard status, title_en, withdrawal, issuer; a capability's standard link;
a certificate's grade; an organization's size class, sector and service flag). Standards already superseded
get the status `superseded`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime


revision = "0014qidata"
down_revision = "0014licensing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pt_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('foreign_source', sa.String(length=200), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pt_scheme')),
    sa.UniqueConstraint('code', name=op.f('uq_pt_scheme_code'))
    )
    op.create_table('scheme_grade',
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_scheme_grade_scheme_code_scheme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scheme_code', 'code', name=op.f('pk_scheme_grade'))
    )
    op.create_table('pt_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('parameter', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=200), nullable=True),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['pt_scheme.id'], name=op.f('fk_pt_round_scheme_id_pt_scheme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], name=op.f('fk_pt_round_standard_id_standard'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pt_round')),
    sa.UniqueConstraint('scheme_id', 'code', name=op.f('uq_pt_round_scheme_id_code'))
    )
    with op.batch_alter_table('pt_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pt_round_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('standard_equivalence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('foreign_id', sa.Integer(), nullable=False),
    sa.Column('degree', sa.String(length=3), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['foreign_id'], ['standard.id'], name=op.f('fk_standard_equivalence_foreign_id_standard'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], name=op.f('fk_standard_equivalence_standard_id_standard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_equivalence')),
    sa.UniqueConstraint('standard_id', 'foreign_id', name=op.f('uq_standard_equivalence_standard_id_foreign_id'))
    )
    with op.batch_alter_table('standard_equivalence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_equivalence_foreign_id'), ['foreign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_equivalence_standard_id'), ['standard_id'], unique=False)

    op.create_table('pt_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=14), nullable=False),
    sa.Column('z_score', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['lab.id'], name=op.f('fk_pt_result_lab_id_lab'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['pt_round.id'], name=op.f('fk_pt_result_round_id_pt_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pt_result')),
    sa.UniqueConstraint('round_id', 'lab_id', name=op.f('uq_pt_result_round_id_lab_id'))
    )
    with op.batch_alter_table('pt_result', schema=None) as batch_op:
        batch_op.create_index('ix_pt_result_lab_item', ['lab_id', 'item'], unique=False)
        batch_op.create_index(batch_op.f('ix_pt_result_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.String(length=30), nullable=True))

    with op.batch_alter_table('lab_capability', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lab_capability_standard_id'), ['standard_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_lab_capability_standard_id_standard'), 'standard', ['standard_id'], ['id'], ondelete='SET NULL')

    # Plain ALTER TABLE (no batch rebuild): the table keeps its search triggers.
    op.add_column('organization', sa.Column('size_class', sa.String(length=6), nullable=True))
    op.add_column('organization', sa.Column('size_industry', sa.String(length=30), nullable=True))
    op.add_column('organization', sa.Column('employees', sa.Integer(), nullable=True))
    op.add_column('organization', sa.Column('revenue_10k', sa.Integer(), nullable=True))
    op.add_column('organization', sa.Column('assets_10k', sa.Integer(), nullable=True))
    op.add_column('organization', sa.Column('sector_code', sa.String(length=3), nullable=True))
    op.add_column('organization', sa.Column('service_company', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f('ix_organization_sector_code'), 'organization', ['sector_code'], unique=False)
    op.create_index(op.f('ix_organization_size_class'), 'organization', ['size_class'], unique=False)

    with op.batch_alter_table('standard', schema=None) as batch_op:  # add_column only: no rebuild
        batch_op.add_column(sa.Column('title_en', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='current', nullable=False))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('issuer', sa.String(length=40), nullable=True))

    op.execute("UPDATE standard SET status = 'superseded' WHERE superseded_by_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.drop_column('issuer')
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('status')
        batch_op.drop_column('title_en')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_size_class'))
        batch_op.drop_index(batch_op.f('ix_organization_sector_code'))
        batch_op.drop_column('service_company')
        batch_op.drop_column('sector_code')
        batch_op.drop_column('assets_10k')
        batch_op.drop_column('revenue_10k')
        batch_op.drop_column('employees')
        batch_op.drop_column('size_industry')
        batch_op.drop_column('size_class')

    with op.batch_alter_table('lab_capability', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lab_capability_standard_id_standard'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lab_capability_standard_id'))
        batch_op.drop_column('standard_id')

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('grade')

    with op.batch_alter_table('pt_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pt_result_round_id'))
        batch_op.drop_index('ix_pt_result_lab_item')

    op.drop_table('pt_result')
    with op.batch_alter_table('standard_equivalence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_equivalence_standard_id'))
        batch_op.drop_index(batch_op.f('ix_standard_equivalence_foreign_id'))

    op.drop_table('standard_equivalence')
    with op.batch_alter_table('pt_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pt_round_scheme_id'))

    op.drop_table('pt_round')
    op.drop_table('scheme_grade')
    op.drop_table('pt_scheme')
