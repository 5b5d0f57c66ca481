"""duplicate candidates (data ganda)

Revision ID: 19ec1f778fd0
Revises: b13b0aac1e5b
Create Date: 2026-12-07 02:02:34.205802
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '19ec1f778fd0'
down_revision = 'b13b0aac1e5b'
branch_labels = None
depends_on = None


def upgrade():
    # Pairs of members who may be one person (app/duplicates), and the blocking keys that find them.
    op.create_table('duplicate_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=True),
    sa.Column('second_id', sa.Integer(), nullable=True),
    sa.Column('first_household_id', sa.Integer(), nullable=True),
    sa.Column('second_household_id', sa.Integer(), nullable=True),
    sa.Column('first_version', sa.Integer(), nullable=False),
    sa.Column('second_version', sa.Integer(), nullable=False),
    sa.Column('regency_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.Column('other_regency_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.Column('score', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('level', sa.Enum('LIKELY', 'POSSIBLE', name='duplicate_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'SAME', 'DIFFERENT', name='duplicate_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('found_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_duplicate_candidate_ordered_pair')),
    sa.CheckConstraint('first_household_id < second_household_id', name=op.f('ck_duplicate_candidate_ordered_household_pair')),
    sa.CheckConstraint('(first_id IS NULL) = (second_id IS NULL) AND (first_household_id IS NULL) = (second_household_id IS NULL) AND (first_id IS NULL) <> (first_household_id IS NULL)', name=op.f('ck_duplicate_candidate_one_kind_of_pair')),
    sa.ForeignKeyConstraint(['first_household_id'], ['household.id'], name=op.f('fk_duplicate_candidate_first_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_household_id'], ['household.id'], name=op.f('fk_duplicate_candidate_second_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id'], name=op.f('fk_duplicate_candidate_decided_by_id_ab_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_id'], ['member.id'], name=op.f('fk_duplicate_candidate_first_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['member.id'], name=op.f('fk_duplicate_candidate_second_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_candidate')),
    sa.UniqueConstraint('first_household_id', 'second_household_id', name=op.f('uq_duplicate_candidate_first_household_id_second_household_id')),
    sa.UniqueConstraint('first_id', 'second_id', name=op.f('uq_duplicate_candidate_first_id_second_id'))
    )
    with op.batch_alter_table('duplicate_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_candidate_other_regency_code'), ['other_regency_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidate_second_household_id'), ['second_household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidate_second_id'), ['second_id'], unique=False)
        batch_op.create_index('ix_duplicate_candidate_status_regency', ['status', 'regency_code'], unique=False)

    op.create_table('duplicate_key',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('village_code', sa.String(length=13).with_variant(sa.String(length=13, collation='C'), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_duplicate_key_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'kind', name=op.f('pk_duplicate_key'))
    )
    with op.batch_alter_table('duplicate_key', schema=None) as batch_op:
        batch_op.create_index('ix_duplicate_key_kind_key', ['kind', 'key'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_key_village_code'), ['village_code'], unique=False)

    # A deactivation as a duplicate names the member kept, who takes over the memberships.
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposal_duplicate_of_id_member'), 'member', ['duplicate_of_id'], ['id'], ondelete='SET NULL')
        batch_op.add_column(sa.Column('duplicate_of_household_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposal_duplicate_of_household_id_household'), 'household', ['duplicate_of_household_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposal_duplicate_of_household_id_household'), type_='foreignkey')
        batch_op.drop_column('duplicate_of_household_id')
        batch_op.drop_constraint(batch_op.f('fk_proposal_duplicate_of_id_member'), type_='foreignkey')
        batch_op.drop_column('duplicate_of_id')

    with op.batch_alter_table('duplicate_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_key_village_code'))
        batch_op.drop_index('ix_duplicate_key_kind_key')

    op.drop_table('duplicate_key')
    with op.batch_alter_table('duplicate_candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_duplicate_candidate_status_regency')
        batch_op.drop_index(batch_op.f('ix_duplicate_candidate_second_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidate_second_household_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidate_other_regency_code'))

    op.drop_table('duplicate_candidate')
