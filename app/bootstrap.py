"""`flask datakesos init`: schema, permissions, roles, regions, reference data and the default
PMT model and program rules."""

from collections.abc import Callable

import flask_migrate
from flask import current_app
from flask_appbuilder.security.manager import BaseSecurityManager

from app.extensions import db
from app.ranking import eligibility, pmt_models
from app.register import reference, regions
from app.security import roles


def initialise(on_progress: Callable[[int], None] | None = None) -> int:
    """Bring a database, empty or not, to a working state; safe to run again."""
    flask_migrate.upgrade()
    appbuilder = current_app.appbuilder
    security_manager = appbuilder.sm
    BaseSecurityManager.create_db(security_manager)  # Admin and Public roles
    appbuilder.add_permissions(update_perms=True)
    roles.sync_roles(security_manager)
    loaded = regions.load_regions(on_progress)
    reference.ensure_programs()
    reference.ensure_open_period()
    pmt_models.ensure_default()
    eligibility.ensure_default_rules()
    db.session.commit()
    return loaded
