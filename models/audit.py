import sqlalchemy as sa
from flask_appbuilder import Model

from models.types import RegionCode

JsonData = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


class AuditEntry(Model):
    """One change to register data, or one sign-in attempt. Append-only: no door edits or
    deletes these rows, and on PostgreSQL a trigger refuses UPDATE and DELETE."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        sa.Index("ix_audit_entry_entity", "entity", "entity_id"),
        sa.Index("ix_audit_entry_at", "at"),
        sa.Index("ix_audit_entry_region_code", "region_code"),
        sa.Index("ix_audit_entry_username", "username"),
    )

    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    user_id = sa.Column(sa.Integer)
    username = sa.Column(sa.String(100))
    ip_address = sa.Column(sa.String(45))
    action = sa.Column(sa.String(32), nullable=False)
    entity = sa.Column(sa.String(40), nullable=False)
    entity_id = sa.Column(sa.String(40))
    region_code = sa.Column(RegionCode)
    before = sa.Column(JsonData)
    after = sa.Column(JsonData)

    def __repr__(self) -> str:
        return f"{self.action} {self.entity} {self.entity_id or ''}".strip()

    __str__ = __repr__
