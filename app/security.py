"""Security manager: users carry a region scope."""
from flask_appbuilder.security.sqla.manager import SecurityManager

from models import RegionUser


class DatakesosSecurityManager(SecurityManager):
    user_model = RegionUser
