"""bounded lookups

Revision ID: b13b0aac1e5b
Revises: a13a5e55105a
Create Date: 2026-12-06 22:31:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'b13b0aac1e5b'
down_revision = 'a13a5e55105a'
branch_labels = None
depends_on = None


def upgrade():
    # NIK and KK lookups counted per user and hour, shared by every worker (app/security/lookups.py).
    op.create_table('lookup_count',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('asked', sa.Integer(), server_default='0', nullable=False),
    sa.Column('misses', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_lookup_count_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'window_start', name=op.f('pk_lookup_count'))
    )
    # A caller whose answers looked like guessing, until an Admin or Pusdatin lifts it.
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lookup_suspended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lookup_suspended_reason', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('lookup_suspended_reason')
        batch_op.drop_column('lookup_suspended_at')

    op.drop_table('lookup_count')
