"""supervision and credit: check matters, plans, verifiable draws, tasks; penalties, credit, lists; 双公示

Revision ID: 0004supervision
Revises: 0003web
Create Date: 2026-11-21 17:10:00
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from certbridge.db import UTCDateTime

revision = "0004supervision"
down_revision = "0003web"
branch_labels = None
depends_on = None

# The national defaults (DOMAIN.md), stored as data a regulator can change. Kept literal here: a migration
# must not change when the code's defaults later do.
CREDIT_SETTINGS = {
    "bands": {"A": [0, 250], "B": [251, 500], "C": [501, 750], "D": [751, 1000]},
    "base_score": 300,
    "points": {
        "penalty": 200, "penalty_minor": 50,
        "check_passed": -100, "check_corrected": 100, "check_pending_follow_up": 200,
        "check_refused_serious": 400, "check_unreachable": 300, "check_no_activity": 0,
        "certificate_suspended": 80, "certificate_withdrawn": 250, "complaint_upheld": 80,
        "body_suspended": 300, "body_revoked": 600, "person_barred": 600, "dishonesty_listed": 500,
    },
    "decay": {"full_months": 12, "until_months": 36, "later_weight": 0.5},
    "listed_class": "D",
    "dishonesty_list_years": 3,
    "early_removal_min_years": 1,
    "person_bar_years": 5,
}
PUBLICITY_SETTINGS = {
    "licensing_publication_workdays": 7,
    "penalty_publication_workdays": 7,
    "penalty_publication_workdays_samr": 20,
    "withdrawal_workdays": 3,
    "penalty_public_years": 3,
    "penalty_minor_public_months": 3,
    "repair_wait_months": {"general": 6, "food": 12, "drugs": 12, "special_equipment": 12},
}


def upgrade() -> None:
    op.create_table('check_matter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('max_ratio', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_matter')),
    sa.UniqueConstraint('code', name=op.f('uq_check_matter_code'))
    )
    op.create_table('credit_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_cursor'))
    )
    op.create_table('credit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('source_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_type', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.String(length=60), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entry')),
    sa.UniqueConstraint('source_seq', 'subject_type', 'subject_id', 'kind', name=op.f('uq_credit_entry_source_seq_subject_type_subject_id_kind'))
    )
    with op.batch_alter_table('credit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_credit_entry_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('credit_record',
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('credit_class', sa.String(length=1), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('subject_type', 'subject_id', name=op.f('pk_credit_record'))
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_record_credit_class'), ['credit_class'], unique=False)

    op.create_table('credit_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_credit_setting'))
    )
    op.create_table('dishonesty_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_uscc', sa.String(length=18), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('penalty_id', sa.Integer(), nullable=True),
    sa.Column('restriction_id', sa.Integer(), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('earliest_removal_on', sa.Date(), nullable=False),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removal_kind', sa.String(length=10), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dishonesty_listing'))
    )
    with op.batch_alter_table('dishonesty_listing', schema=None) as batch_op:
        batch_op.create_index('ix_dishonesty_listing_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('licensing_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_type', sa.String(length=20), nullable=False),
    sa.Column('party_uscc', sa.String(length=18), nullable=True),
    sa.Column('legal_representative', sa.String(length=60), nullable=True),
    sa.Column('document_name', sa.String(length=200), nullable=False),
    sa.Column('document_number', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('licence_name', sa.String(length=200), nullable=True),
    sa.Column('licence_number', sa.String(length=100), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('authority_uscc', sa.String(length=18), nullable=False),
    sa.Column('data_source', sa.String(length=200), nullable=False),
    sa.Column('data_source_uscc', sa.String(length=18), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('publication_due_on', sa.Date(), nullable=True),
    sa.Column('deadline_problem_year', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('decision_changed_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_due_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['supersedes_id'], ['licensing_record.id'], name=op.f('fk_licensing_record_supersedes_id_licensing_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licensing_record'))
    )
    with op.batch_alter_table('licensing_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licensing_record_document_number'), ['document_number'], unique=False)
        batch_op.create_index('ix_licensing_record_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('penalty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_type', sa.String(length=20), nullable=False),
    sa.Column('party_uscc', sa.String(length=18), nullable=True),
    sa.Column('legal_representative', sa.String(length=60), nullable=True),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('violation_type', sa.String(length=200), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('fine_wan', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('confiscation_wan', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('licence_affected', sa.String(length=300), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('penalty_valid_until', sa.Date(), nullable=True),
    sa.Column('publication_ends_on', sa.Date(), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('authority_uscc', sa.String(length=18), nullable=False),
    sa.Column('data_source', sa.String(length=200), nullable=False),
    sa.Column('data_source_uscc', sa.String(length=18), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('samr', sa.Boolean(), nullable=False),
    sa.Column('minor', sa.Boolean(), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('publication_due_on', sa.Date(), nullable=True),
    sa.Column('deadline_problem_year', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('decision_changed_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_due_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('repaired_on', sa.Date(), nullable=True),
    sa.Column('repair_reason', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty'))
    )
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalty_decision_number'), ['decision_number'], unique=False)
        batch_op.create_index('ix_penalty_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('publicity_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_publicity_setting'))
    )
    op.create_table('spot_check_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('class_ratios', sa.JSON(), nullable=False),
    sa.Column('ratio_bounds', sa.JSON(), nullable=False),
    sa.Column('default_ratio', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('inspectors_per_object', sa.Integer(), nullable=False),
    sa.Column('recent_inspection_months', sa.Integer(), nullable=False),
    sa.Column('publication_workdays', sa.Integer(), nullable=False),
    sa.Column('include_experts', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_spot_check_plan_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_plan'))
    )
    with op.batch_alter_table('spot_check_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_plan_year'), ['year'], unique=False)

    op.create_table('spot_check_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('check_type', sa.String(length=10), nullable=False),
    sa.Column('joint_departments', sa.Text(), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('class_ratios', sa.JSON(), nullable=True),
    sa.Column('class_counts', sa.JSON(), nullable=True),
    sa.Column('max_tasks_per_inspector', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['check_matter.id'], name=op.f('fk_spot_check_batch_matter_id_check_matter')),
    sa.ForeignKeyConstraint(['plan_id'], ['spot_check_plan.id'], name=op.f('fk_spot_check_batch_plan_id_spot_check_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_batch'))
    )
    with op.batch_alter_table('spot_check_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_batch_plan_id'), ['plan_id'], unique=False)

    op.create_table('inspection_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_inspection_history_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_history'))
    )
    with op.batch_alter_table('inspection_history', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_history_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_history_person_id'), ['person_id'], unique=False)

    op.create_table('inspector_relationship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('declared_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_inspector_relationship_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector_relationship'))
    )
    with op.batch_alter_table('inspector_relationship', schema=None) as batch_op:
        batch_op.create_index('ix_inspector_relationship_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspector_relationship_person_id'), ['person_id'], unique=False)

    op.create_table('spot_check_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('drawn_on', sa.Date(), nullable=False),
    sa.Column('seed_commitment', sa.String(length=64), nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('beacon_source', sa.Text(), nullable=True),
    sa.Column('beacon_value', sa.Text(), nullable=True),
    sa.Column('outputs', sa.JSON(), nullable=True),
    sa.Column('outputs_digest', sa.String(length=64), nullable=True),
    sa.Column('replacements', sa.JSON(), nullable=False),
    sa.Column('commit_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reveal_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('committed_at', UTCDateTime(), nullable=False),
    sa.Column('revealed_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['spot_check_batch.id'], name=op.f('fk_spot_check_draw_batch_id_spot_check_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_draw'))
    )
    with op.batch_alter_table('spot_check_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_draw_batch_id'), ['batch_id'], unique=False)

    op.create_table('inspection_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=40), nullable=False),
    sa.Column('object_name', sa.String(length=200), nullable=False),
    sa.Column('object_uscc', sa.String(length=18), nullable=True),
    sa.Column('credit_class', sa.String(length=1), nullable=False),
    sa.Column('rank', sa.String(length=64), nullable=False),
    sa.Column('walk_position', sa.Integer(), nullable=False),
    sa.Column('drawn_on', sa.Date(), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('check_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('result', sa.String(length=30), nullable=True),
    sa.Column('result_note', sa.Text(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('publication_due_on', sa.Date(), nullable=True),
    sa.Column('deadline_problem_year', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['spot_check_batch.id'], name=op.f('fk_inspection_task_batch_id_spot_check_batch')),
    sa.ForeignKeyConstraint(['draw_id'], ['spot_check_draw.id'], name=op.f('fk_inspection_task_draw_id_spot_check_draw')),
    sa.ForeignKeyConstraint(['matter_id'], ['check_matter.id'], name=op.f('fk_inspection_task_matter_id_check_matter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_task')),
    sa.UniqueConstraint('draw_id', 'object_key', name=op.f('uq_inspection_task_draw_id_object_key'))
    )
    with op.batch_alter_table('inspection_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_task_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_task_draw_id'), ['draw_id'], unique=False)
        batch_op.create_index('ix_inspection_task_object', ['object_type', 'object_id'], unique=False)

    op.create_table('task_inspector',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('removed_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_task_inspector_person_id_person')),
    sa.ForeignKeyConstraint(['task_id'], ['inspection_task.id'], name=op.f('fk_task_inspector_task_id_inspection_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'person_id', name=op.f('pk_task_inspector'))
    )
    with op.batch_alter_table('task_inspector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_inspector_person_id'), ['person_id'], unique=False)


    credit = sa.table("credit_setting", sa.column("key", sa.String), sa.column("value", sa.JSON),
                      sa.column("updated_at", UTCDateTime()))
    publicity = sa.table("publicity_setting", sa.column("key", sa.String), sa.column("value", sa.JSON),
                         sa.column("updated_at", UTCDateTime()))
    stamp = datetime(2026, 11, 21, tzinfo=timezone.utc)
    op.bulk_insert(credit, [{"key": k, "value": v, "updated_at": stamp} for k, v in CREDIT_SETTINGS.items()])
    op.bulk_insert(publicity, [{"key": k, "value": v, "updated_at": stamp} for k, v in PUBLICITY_SETTINGS.items()])


def downgrade() -> None:
    op.drop_table('task_inspector')
    op.drop_table('inspection_task')
    op.drop_table('spot_check_draw')
    op.drop_table('inspector_relationship')
    op.drop_table('inspection_history')
    op.drop_table('spot_check_batch')
    op.drop_table('spot_check_plan')
    op.drop_table('publicity_setting')
    op.drop_table('penalty')
    op.drop_table('licensing_record')
    op.drop_table('dishonesty_listing')
    op.drop_table('credit_setting')
    op.drop_table('credit_record')
    op.drop_table('credit_entry')
    op.drop_table('credit_cursor')
    op.drop_table('check_matter')
