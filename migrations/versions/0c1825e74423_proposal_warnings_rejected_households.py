"""proposal warnings for the verifier; rejected proposed households get their own status

Revision ID: 0c1825e74423
Revises: 4681cb6472de
Create Date: 2026-12-08 00:05:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0c1825e74423'
down_revision = '4681cb6472de'
branch_labels = None
depends_on = None

JSON_DATA = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')
#: The CHECK constraint a non-native Enum column carries (models.types.Choice.column_type).
STATUS_CHECK = 'ck_household_household_status'


def _status_check(batch_op, names):
    batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
    listed = ', '.join(f"'{name}'" for name in names)
    batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.text(f'status IN ({listed})'))


def upgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', JSON_DATA, nullable=True))
    with op.batch_alter_table('household', schema=None) as batch_op:
        _status_check(batch_op, ('ACTIVE', 'PROPOSED', 'INACTIVE', 'REJECTED'))


def downgrade():
    # Rejected proposed households were "Proposed" before this revision.
    op.execute("UPDATE household SET status = 'PROPOSED' WHERE status = 'REJECTED'")
    with op.batch_alter_table('household', schema=None) as batch_op:
        _status_check(batch_op, ('ACTIVE', 'PROPOSED', 'INACTIVE'))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('warnings')
