"""the citizen's door: complaints (sanggah, usul, desil objections), their photos, the public
lookup's counts per village and day; a deactivation may be an upheld objection

Revision ID: 5aeb3cfedb18
Revises: 0c1825e74423
Create Date: 2026-12-08 03:29:50.333790
"""
from alembic import op
import sqlalchemy as sa

import models.types


revision = '5aeb3cfedb18'
down_revision = '0c1825e74423'
branch_labels = None
depends_on = None

#: The CHECK constraint a non-native Enum column carries (models.types.Choice.column_type).
REASON_CHECK = 'ck_proposal_deactivation_reason'


def _reason_check(names):
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(REASON_CHECK), type_='check')
        listed = ', '.join(f"'{name}'" for name in names)
        batch_op.create_check_constraint(op.f(REASON_CHECK), sa.text(f'reason IN ({listed})'))


def upgrade():
    op.create_table('public_lookup_count',
    sa.Column('village_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_public_lookup_count_village_code_region')),
    sa.PrimaryKeyConstraint('village_code', 'day', name=op.f('pk_public_lookup_count'))
    )
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('OBJECTION', 'PROPOSAL', 'DECILE', name='complaint_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('RECEIVED', 'IN_VERIFICATION', 'UPHELD', 'REJECTED', 'LAPSED', name='complaint_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('village_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.Column('regency_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('address', models.types.PlainText(), nullable=True),
    sa.Column('head_name', models.types.PlainString(length=120), nullable=True),
    sa.Column('submitter_nik', sa.String(length=16), nullable=False),
    sa.Column('submitter_name', models.types.PlainString(length=120), nullable=False),
    sa.Column('submitter_member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('CAPABLE', 'MOVED', 'DECEASED', 'NOT_LIVING_HERE', 'DUPLICATE', 'POOR', 'ELDERLY_ALONE', 'DISABILITY', 'DISASTER', 'DECILE_TOO_HIGH', 'DECILE_DATA_WRONG', 'OTHER', name='complaint_reason', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', models.types.PlainText(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('location_source', sa.String(length=10), nullable=True),
    sa.Column('outside_boundary', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', models.types.PlainText(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('task_done_at', sa.DateTime(), nullable=True),
    sa.Column('task_done_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status NOT IN ('UPHELD', 'REJECTED') OR decision_reason IS NOT NULL", name=op.f('ck_complaint_decision_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id'], name=op.f('fk_complaint_decided_by_id_ab_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_complaint_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['complaint.id'], name=op.f('fk_complaint_merged_into_id_complaint'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_complaint_proposal_id_proposal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['regency_code'], ['region.code'], name=op.f('fk_complaint_regency_code_region')),
    sa.ForeignKeyConstraint(['submitter_member_id'], ['member.id'], name=op.f('fk_complaint_submitter_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_done_by_id'], ['ab_user.id'], name=op.f('fk_complaint_task_done_by_id_ab_user')),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_complaint_village_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('code', name=op.f('uq_complaint_code'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_complaint_regency_status', ['regency_code', 'status'], unique=False)
        batch_op.create_index('ix_complaint_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_complaint_submitter_received', ['submitter_nik', 'received_at'], unique=False)

    op.create_table('complaint_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_photo_complaint_id_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_photo'))
    )
    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photo_complaint_id'), ['complaint_id'], unique=False)

    _reason_check(('MOVED', 'DECEASED', 'DUPLICATE', 'NOT_FOUND', 'OBJECTION'))


def downgrade():
    _reason_check(('MOVED', 'DECEASED', 'DUPLICATE', 'NOT_FOUND'))
    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_photo_complaint_id'))

    op.drop_table('complaint_photo')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_submitter_received')
        batch_op.drop_index('ix_complaint_status_due')
        batch_op.drop_index('ix_complaint_regency_status')
        batch_op.drop_index(batch_op.f('ix_complaint_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_household_id'))

    op.drop_table('complaint')
    op.drop_table('public_lookup_count')
