"""The user's region scope, written once: every list, page, chart, export and API asks here.

A scope is a region-code prefix: "" (national), "32" (a province), "32.73" (a regency).
"""

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext, lazy_gettext

from app.errors import OutsideScope
from app.security.roles import NATIONAL_ROLES, role_names


def current_scope() -> str:
    """The signed-in user's prefix; outside a request (CLI, jobs) the scope is national.

    A user of a regional role without a region gets a scope that matches nothing."""
    if not has_request_context():
        return ""
    if "region_scope" in g:
        return g.region_scope
    scope = scope_of(current_app.appbuilder.sm.current_user)
    g.region_scope = scope
    return scope


NOTHING = "\x00"


def scope_of(user) -> str:
    """A user's prefix, whether signed in now or not (jobs act for the user who asked)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.region_code:
        return user.region_code
    if role_names(user) & NATIONAL_ROLES:
        return ""
    return NOTHING


def in_scope(code: str | None, scope: str | None = None) -> bool:
    scope = current_scope() if scope is None else scope
    if not scope:
        return True
    return bool(code) and (code == scope or code.startswith(scope + "."))


def check_in_scope(code: str | None, field: str = "village_code", scope: str | None = None) -> None:
    """Refuse to write a record into a region outside the scope (default: the user's)."""
    if not in_scope(code, scope):
        raise OutsideScope(
            gettext("Region %(code)s is outside your region.", code=code or "-"), field
        )


def scope_clause(column, scope: str | None = None):
    """A SQL condition keeping rows whose region code lies under the scope (index-backed)."""
    scope = current_scope() if scope is None else scope
    if not scope:
        return sa.true()
    return sa.or_(column == scope, column.startswith(scope + ".", autoescape=True))


class InUserRegion(BaseFilter):
    """Rows under the user's scope; all rows for national roles. The column is a region-code
    column of the model, or `household` for rows that belong to a household."""

    name = lazy_gettext("User's region")
    arg_name = "inregion"

    def apply(self, query, value):
        return query.filter(scope_condition(self.model, self.column_name))


def scope_condition(model, column_name: str, scope: str | None = None):
    scope = current_scope() if scope is None else scope
    if not scope:
        return sa.true()
    if column_name == "household":
        from models import Household

        return model.household_id.in_(
            sa.select(Household.id).where(scope_clause(Household.village_code, scope))
        )
    return scope_clause(getattr(model, column_name), scope)


def region_column(model) -> str | None:
    """How rows of `model` find their region, as InUserRegion reads it: their own village code,
    or their household's; None for rows that belong to no region (programs, periods, regions)."""
    if hasattr(model, "village_code"):
        return "village_code"
    if hasattr(model, "household_id"):
        return "household"
    return None


def region_filter(column_name: str) -> list:
    """The `base_filters` entry every scoped view and API declares."""
    return [[column_name, InUserRegion, lambda: None]]
