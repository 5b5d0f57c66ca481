import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from models.types import RegionCode


class RegionUser(User):
    """A console user with a region scope: a region-code prefix, empty for national roles."""

    __tablename__ = "ab_user"
    region_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=True)
