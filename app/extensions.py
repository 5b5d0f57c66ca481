"""Extension objects, created unbound so that `create_app` can configure them per app."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
appbuilder = AppBuilder(update_perms=False)
csrf = CSRFProtect()
migrate = Migrate()


def is_postgresql(bind=None) -> bool:
    """Whether the session's database (or `bind`: an engine, connection or session's bind) is
    PostgreSQL, for what only PostgreSQL has: COPY, advisory locks, planner estimates."""
    return (db.session.get_bind() if bind is None else bind).dialect.name == "postgresql"
