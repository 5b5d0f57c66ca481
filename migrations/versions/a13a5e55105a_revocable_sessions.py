"""revocable sessions

Revision ID: a13a5e55105a
Revises: f5e83a728b55
Create Date: 2026-12-06 22:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a13a5e55105a'
down_revision = 'f5e83a728b55'
branch_labels = None
depends_on = None


def upgrade():
    # Every JWT and console session carries the user's epoch; raising it ends them all.
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_epoch', sa.Integer(), server_default='0', nullable=False))

    op.create_table('console_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_console_session_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_console_session_token_hash'))
    )
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.create_index('ix_console_session_last_seen_at', ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_session_user_id'))
        batch_op.drop_index('ix_console_session_last_seen_at')

    op.drop_table('console_session')
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('token_epoch')
