"""The audit trail, read-only: a console list and `/api/v1/audit/`. Entries are only ever added
(app.audit, app.audit.events); no door here edits or deletes one."""

import datetime
import functools

from flask import abort
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional as OptionalValue

from app import formatting
from app.security.scope import region_filter, scope_clause
from models import AuditEntry
from views import audit_details
from views.api import schemas as api_schemas
from views.api.base import RegisterApi
from views.base import RegisterModelView
from views.fields import parse_day

ACTIONS = {
    "create": lazy_gettext("Created"),
    "update": lazy_gettext("Changed"),
    "delete": lazy_gettext("Deleted"),
    "login_success": lazy_gettext("Signed in"),
    "login_failure": lazy_gettext("Failed sign-in"),
    "login_locked": lazy_gettext("Account locked"),
    "export": lazy_gettext("Exported"),
    "import": lazy_gettext("Imported"),
    "import_checked": lazy_gettext("Import checked (dry run)"),
    "import_refused": lazy_gettext("Import refused"),
    "nik_status_check": lazy_gettext("NIK status check"),
    "api_key_created": lazy_gettext("API key created"),
    "api_key_revoked": lazy_gettext("API key revoked"),
    "certificate_issued": lazy_gettext("Certificate issued"),
    "certificate_reprinted": lazy_gettext("Certificate reprinted"),
    "report_downloaded": lazy_gettext("Report downloaded"),
    "close_requested": lazy_gettext("Period close requested"),
    "password_changed": lazy_gettext("Password changed"),
    "logout": lazy_gettext("Signed out"),
    "apply": lazy_gettext("Applied at the period close"),
    "duplicate_scan": lazy_gettext("Duplicate scan"),
    "duplicate_decided": lazy_gettext("Duplicate decided"),
    "identity_conflict": lazy_gettext("Identity number already registered"),
    "lookup_refused": lazy_gettext("Lookup refused"),
    "lookup_suspended": lazy_gettext("Lookups suspended"),
    "lookup_suspension_lifted": lazy_gettext("Lookup suspension lifted"),
}
ENTITIES = {
    "household": lazy_gettext("Household"),
    "family": lazy_gettext("Family"),
    "member": lazy_gettext("Household member"),
    "membership": lazy_gettext("Program membership"),
    "proposal": lazy_gettext("Proposal"),
    "period": lazy_gettext("Updating period"),
    "program": lazy_gettext("Assistance program"),
    "office": lazy_gettext("Issuing office"),
    "user": lazy_gettext("User"),
    "role": lazy_gettext("Role"),
    "group": lazy_gettext("Group"),
    "import": lazy_gettext("Import"),
    "close_schedule": lazy_gettext("Close schedule"),
    "deliberation": lazy_gettext("Village deliberation"),
    "duplicate": lazy_gettext("Duplicate candidate"),
    "bulk_certificates": lazy_gettext("Certificates of a village"),
    "period_minutes": lazy_gettext("Minutes of a period close"),
    "region_recap": lazy_gettext("Region recap"),
}
LABELS = {
    "at": lazy_gettext("Time"),
    "user_id": lazy_gettext("User ID"),
    "username": lazy_gettext("User"),
    "ip_address": lazy_gettext("IP address"),
    "action": lazy_gettext("Action"),
    "entity": lazy_gettext("Data"),
    "entity_id": lazy_gettext("Record ID"),
    "region_code": lazy_gettext("Region"),
    "before": lazy_gettext("Before"),
    "after": lazy_gettext("After"),
}


#: The name the trail records for changes made by the application itself (the period close,
#: scheduled jobs), shown as a word of the page's language.
SYSTEM_USER = "system"


def _named(names: dict):
    def format_value(value):
        return names.get(value, value) if value else formatting.value(value)

    return format_value


def shown_username(value):
    """Who acted: a user's name, "Sistem" for the application itself, "–" for no one."""
    return lazy_gettext("System") if value == SYSTEM_USER else formatting.value(value)


class FilterEntity(BaseFilter):
    name = lazy_gettext("Equal to")
    arg_name = "entity"

    def apply(self, query, value):
        return query.filter(AuditEntry.entity == value) if value else query


class FilterRegionPrefix(BaseFilter):
    """Entries of a region and of every region under it (index-backed prefix)."""

    name = lazy_gettext("Within")
    arg_name = "region"

    def apply(self, query, value):
        code = (value or "").strip()
        return query.filter(scope_clause(AuditEntry.region_code, code)) if code else query


def _moment(value: str, end_of_day: bool) -> datetime.datetime | None:
    """A date or a date and time; a bare date counts from its start (or up to its end)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) <= 10:  # a day: 2026-12-04 or 4/12/2026
            day = datetime.datetime.combine(parse_day(text), datetime.time())
            return day + datetime.timedelta(days=1) if end_of_day else day
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        abort(400)


class FilterFrom(BaseFilter):
    name = lazy_gettext("From")
    arg_name = "from"

    def apply(self, query, value):
        moment = _moment(value, end_of_day=False)
        return query.filter(AuditEntry.at >= moment) if moment else query


class FilterUntil(BaseFilter):
    """Up to and including the given day (or up to the given time)."""

    name = lazy_gettext("Until")
    arg_name = "until"

    def apply(self, query, value):
        text = (value or "").strip()
        moment = _moment(text, end_of_day=True)
        if moment is None:
            return query
        return query.filter(AuditEntry.at < moment if len(text) == 10 else AuditEntry.at <= moment)


def _entity_choices():
    return [("", "")] + [(key, str(label)) for key, label in ENTITIES.items()]


class AuditView(RegisterModelView):
    route_base = "/audit"
    datamodel = SQLAInterface(AuditEntry)
    # National roles see everything; should a regional role ever be granted the trail, it sees
    # its own region's entries only.
    base_filters = region_filter("region_code")
    base_permissions = ["can_list", "can_show"]
    # No add, edit, delete, action or legacy JSON routes at all, not just no permission for them.
    include_route_methods = {"list", "show"}
    list_title = lazy_gettext("Audit trail")
    show_title = lazy_gettext("Audit entry")
    list_columns = ["at", "username", "ip_address", "action", "entity", "entity_id", "region_code"]
    show_columns = [
        "at",
        "username",
        "user_id",
        "ip_address",
        "action",
        "entity",
        "entity_id",
        "region_code",
        "before",
        "after",
    ]
    order_columns = ["at", "username", "entity", "region_code"]
    search_columns = ["username"]
    base_order = ("id", "desc")
    label_columns = LABELS
    formatters_columns = {
        "username": shown_username,
        "action": _named(ACTIONS),
        "entity": _named(ENTITIES),
    }
    extra_search = {
        "entity": (
            LABELS["entity"],
            SelectField(
                LABELS["entity"],
                choices=_entity_choices,
                widget=Select2Widget(),
                validators=[OptionalValue()],
            ),
            [FilterEntity],
        ),
        "region": (
            LABELS["region_code"],
            StringField(
                LABELS["region_code"],
                widget=BS3TextFieldWidget(),
                description=lazy_gettext("Region code, e.g. 32.73"),
            ),
            [FilterRegionPrefix],
        ),
        "date": (
            lazy_gettext("Date"),
            DateField(
                lazy_gettext("Date"), widget=DatePickerWidget(), validators=[OptionalValue()]
            ),
            [FilterFrom, FilterUntil],
        ),
    }

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        """Flask-AppBuilder's, with the before and after values read with the labels of the
        entry's own entity (a formatter alone is given the value, not the entry)."""
        entity_details = functools.partial(audit_details.details, item.entity)
        widgets = widgets or {}
        widgets["show"] = self.show_widget(
            pk=pk,
            label_columns=self.label_columns,
            include_columns=self.show_columns,
            value_columns=self.datamodel.get_values_item(item, self.show_columns),
            formatters_columns={
                **self.formatters_columns,
                "before": entity_details,
                "after": entity_details,
            },
            actions=actions or self.actions,
            fieldsets=show_fieldsets or self.show_fieldsets,
            modelview_name=self.__class__.__name__,
        )
        return widgets


class AuditApi(RegisterApi):
    resource_name = "audit"
    datamodel = SQLAInterface(AuditEntry)
    base_filters = region_filter("region_code")
    list_model_schema = api_schemas.AuditEntrySchema()
    show_model_schema = api_schemas.AuditEntryShowSchema()
    # `id` too: an external reader fetches "everything after the last entry it saw".
    search_columns = ["id", "at", "username", "action", "entity", "entity_id", "region_code"]
    order_columns = ["id", "at", "username", "entity", "region_code"]
    base_order = ("id", "desc")
    label_columns = LABELS
    list_title = lazy_gettext("Audit trail")
    show_title = lazy_gettext("Audit entry")
