"""Application factory: `create_app()` builds a configured Datakesos; nothing runs at import."""

import logging

import sqlalchemy as sa
from flask import Flask

from app.extensions import appbuilder, csrf, db, migrate
from app.security import api_keys, headers, input_guard, privacy, signin
from app.security.csrf import protect_forms_from_csrf


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

    import models  # noqa: F401  (registers the tables on the shared metadata)

    with app.app_context():
        db.init_app(app)
        _sqlite_pragmas(app)
        from app.audit.events import install as install_audit_trail

        install_audit_trail(db)  # every ORM change is audited in its own flush
        from app.duplicates import keeping as duplicate_keys

        duplicate_keys.install(db)  # the blocking keys of every member written
        input_guard.install(app)  # before the CSRF check reads the form
        csrf.init_app(app)
        protect_forms_from_csrf(app, csrf)
        migrate.init_app(app, db, directory=str(_project_dir() / "migrations"))
        appbuilder.init_app(app, db.session)
        from app import formatting
        from app.register.reference import open_period
        from views import register_views

        formatting.register(app)
        privacy.install(app)  # the templates' viewer_nik filter
        app.jinja_env.globals["open_period"] = open_period  # the console's banner (base.html)
        _translate_form_messages(app)
        register_views(appbuilder)
        appbuilder.post_init()
        from views import security as security_doors

        security_doors.install(app, appbuilder)  # failed sign-ins limited per address, 429
        headers.install(app)  # CSP nonce, security headers
        api_keys.install(app)  # keys checked before any API view
        signin.install(app)  # sessions that can be ended, permanent after sign-in
        from views import dashboard

        dashboard.install(app, appbuilder)

    _register_job_kinds()  # console, scheduler and CLI know the same job kinds

    from app.cli import register as register_commands

    register_commands(app)
    return app


def _register_job_kinds() -> None:
    """Every job kind with its handler, listed once (as views.register_views lists the views):
    the console queues them by kind, the scheduler process runs them."""
    from app import jobs
    from app.complaints import deadlines as complaint_deadlines
    from app.duplicates import scanning as duplicate_scan
    from app.imports import jobs as import_jobs
    from app.periods import queueing as close_jobs
    from reports import bulk, recap_files

    for kind, handler in (
        (close_jobs.JOB_KIND, close_jobs.close_job),
        (import_jobs.KIND, import_jobs.import_households),
        (duplicate_scan.JOB_KIND, duplicate_scan.scan_job),
        (bulk.KIND, bulk.bulk_certificates),
        (bulk.MINUTES_KIND, bulk.period_minutes),
        (recap_files.RECAPS_KIND, recap_files.print_closed_recaps),
        (complaint_deadlines.JOB_KIND, complaint_deadlines.job),
    ):
        jobs.register(kind, handler)


def _instance_secret_key() -> str:
    """No SECRET_KEY configured: one is generated once per instance folder (DATAKESOS_INSTANCE),
    so `make run` needs no set-up and restarts keep sessions valid."""
    import secrets

    from config import INSTANCE_DIR

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


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
