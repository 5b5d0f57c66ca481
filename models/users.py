import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from models.types import RegionCode


class RegionUser(User):
    """A console user with a region scope: a region-code prefix, empty for national roles."""

    __tablename__ = "ab_user"
    region_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=True)
    #: Until when (UTC) sign-ins are refused after too many wrong passwords; kept in the
    #: database so every worker process sees the same lock (app/login_security.py).
    locked_until = sa.Column(sa.DateTime, nullable=True)
