"""Application factory: `create_app()` builds a configured Datakesos; nothing runs at import."""
import logging

import sqlalchemy as sa
from flask import Flask

from app.security import input_guard, login_security
from app.extensions import appbuilder, csrf, db, migrate
from views.security import protect_forms_from_csrf


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

    import models  # noqa: F401  (registers the tables on the shared metadata)

    with app.app_context():
        db.init_app(app)
        _sqlite_pragmas(app)
        from app.audit.events import install as install_audit_trail
        install_audit_trail(db)  # every ORM change is audited in its own flush
        input_guard.install(app)  # before the CSRF check reads the form
        csrf.init_app(app)
        protect_forms_from_csrf(app, csrf)
        migrate.init_app(app, db, directory=str(_project_dir() / "migrations"))
        appbuilder.init_app(app, db.session)
        from app import formatting
        from views import register_views

        formatting.register(app)
        _translate_form_messages(app)
        register_views(appbuilder)
        appbuilder.post_init()
        login_security.install(app, appbuilder)
        from views import dashboard

        dashboard.install(app, appbuilder)

    from app.cli import datakesos

    app.cli.add_command(datakesos)
    return app


def _project_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _sqlite_pragmas(app: Flask) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    @sa.event.listens_for(db.engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _translate_form_messages(app: Flask) -> None:
    """WTForms' own messages ("This field is required.") come from our catalog, so they
    appear in the user's language like everything else."""
    from flask import request
    from flask_babel import get_translations

    @app.before_request
    def _wtforms_translations():
        request.wtforms_translations = get_translations()
