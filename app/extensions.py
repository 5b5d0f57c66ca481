"""Extension objects, created unbound so that `create_app` can configure them per app."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
appbuilder = AppBuilder(update_perms=False)
csrf = CSRFProtect()
migrate = Migrate()
