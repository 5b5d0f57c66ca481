"""name search and card number indexes

Revision ID: ff517709980f
Revises: 6ad794c95187
Create Date: 2026-11-28 02:02:55.034690
"""
from alembic import op
import sqlalchemy as sa


revision = 'ff517709980f'
down_revision = '6ad794c95187'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Trigram matching for "name contains …" searches (PostgreSQL only).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_member_full_name_trgm", "member", ["full_name"], unique=False,
            postgresql_using="gin", postgresql_ops={"full_name": "gin_trgm_ops"},
        )
    with op.batch_alter_table("program_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_membership_card_number"), ["card_number"], unique=False
        )


def downgrade():
    with op.batch_alter_table("program_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_membership_card_number"))
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_member_full_name_trgm", table_name="member")
