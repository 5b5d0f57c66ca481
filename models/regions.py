import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.enums import RegionKind
from models.types import RegionCode


class Region(Model):
    """A Kemendagri region: province (1), regency/city (2), district (3), village (4)."""

    __tablename__ = "region"
    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        sa.Index("ix_region_level_name", "level", "name"),
    )

    code = sa.Column(RegionCode, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    level = sa.Column(sa.SmallInteger, nullable=False)
    kind = sa.Column(RegionKind.column_type(), nullable=False)
    parent_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), index=True)

    parent = relationship("Region", remote_side=[code], lazy="joined", innerjoin=False)

    def __repr__(self) -> str:
        return f"{self.name} ({self.code})"

    __str__ = __repr__
