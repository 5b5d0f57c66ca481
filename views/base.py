"""Shared behaviour of the console's model views: page-size cap, domain checks inside form
validation (so a refused form keeps what the clerk typed), extra search filters, and CSV/XLSX
exports of any filtered list (app.exports)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext
from wtforms import HiddenField

from app import exports, formatting
from app.audit.events import entity_name
from app.errors import Conflict, DomainError
from app.register.households import InvalidRecord
from app.security.privacy import OrderColumns, sees_full_nik
from app.security.scope import NOTHING, current_scope
from views.fields import register_fields


class ExactRelatedViews(list):
    """Flask-AppBuilder joins every registered view that is an *instance* of a related view
    class, so a subclass registered for another purpose (the member proposal form derives from
    the member view) would become an extra tab; only the exact classes are kept."""

    def __init__(self, classes):
        super().__init__()
        self.classes = tuple(classes)

    def append(self, view):
        if type(view) in self.classes:
            super().append(view)


class ConsoleModelViewMixin:
    """What every model view of the console has, Flask-AppBuilder's own user and role screens
    included (views.security): no `download/<filename>` door, since no view serves uploaded
    files (Flask-AppBuilder's answered a server error for lack of UPLOAD_FOLDER), and actions
    that check what they are given — Flask-AppBuilder runs an action on rows loaded without
    the view's filters, and answers an unknown action or row with a server error."""

    exclude_route_methods = {"download"}

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions or self.datamodel.get(pk, self._base_filters) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        for pk in request.form.getlist("rowid"):
            if self.datamodel.get(pk, self._base_filters) is None:
                abort(404)
        return super().action_post()


class RegisterModelView(ConsoleModelViewMixin, ModelView):
    page_size = 25
    #: {key: (label, form field, [filter classes])}: searches that are not plain columns.
    extra_search = {}

    def __init__(self, **kwargs):
        # Every list can be exported: views that whitelist their routes or permissions get
        # the export door (and its own permission, can_export) next to their list.
        if self.include_route_methods is not None and "list" in self.include_route_methods:
            self.include_route_methods = {*self.include_route_methods, "export"}
        if self.base_permissions is not None and "can_list" in self.base_permissions:
            self.base_permissions = [*self.base_permissions, "can_export"]
        super().__init__(**kwargs)
        self._related_views = ExactRelatedViews(self.related_views or ())

    def render_show(self, pk, widgets, **context):
        """The show page with what a view adds to it (a proposal's steps, a ranking)."""
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            **context,
        )

    # -- lists --------------------------------------------------------------------------
    @expose("/list/")
    @has_access
    def list(self):
        self._refuse_malformed_list_arguments()
        return super().list()

    def _refuse_malformed_list_arguments(self) -> None:
        """Flask-AppBuilder turns a malformed page, size, filter index or sort column into a
        server error; answer 400 instead."""
        for name, value in request.args.items():
            if name.startswith(("page_", "psize_")) and not value.isdigit():
                abort(400)
            if name.startswith("_oc_") and value not in self.order_columns:
                abort(400)
            match = re.fullmatch(r"_flt_(\d+)_(.+)", name)
            if match:
                filters = self._filters._all_filters.get(match.group(2), [])
                if int(match.group(1)) >= len(filters):
                    abort(400)

    def _get_list_widget(self, filters, page_size=None, **kwargs):
        cap = current_app.config["MAX_PAGE_SIZE"]
        page_size = min(page_size or self.page_size, cap)
        return super()._get_list_widget(
            filters, page_size=page_size, export_links=self._export_links(), **kwargs
        )

    # -- exports ------------------------------------------------------------------------
    def _export_links(self) -> list[tuple[str, str]]:
        """(format, URL) of the export buttons: on this view's own list page only (not where it
        is shown as a related list), with the search and order of the page, not its paging."""
        name = type(self).__name__
        if request.endpoint != f"{name}.list" or not self.appbuilder.sm.has_access(
            "can_export", self.class_permission_name
        ):
            return []
        args = {
            key: values
            for key, values in _arguments().items()
            if not key.startswith(("page_", "psize_"))
        }
        return [(fmt, url_for(f"{name}.export", fmt=fmt, **args)) for fmt in exports.FORMATS]

    @expose("/export/<string:fmt>")
    @has_access
    def export(self, fmt):
        """The filtered list as a file: the same filters, order and scope as the list page."""
        if fmt not in exports.FORMATS:
            abort(404)
        self._refuse_malformed_list_arguments()
        columns = exports.columns_for_viewer(self._export_columns(), sees_full_nik())
        title = str(self.list_title or type(self).__name__)
        scope = current_scope()
        config = current_app.config
        try:
            download, count = exports.open_download(
                self._export_query(),
                fmt,
                self.appbuilder.sm.current_user.id,
                config["EXPORT_MAX_CONCURRENT"],
                config["EXPORT_MAX_ROWS"],
            )
        except DomainError as error:  # too large, or the user's other exports still running
            flash(error.message, "danger")
            return redirect(url_for(f"{type(self).__name__}.list", **_arguments()))
        try:
            exports.record(
                entity_name(self.datamodel.obj),
                type(self).__name__,
                fmt,
                _arguments(),
                count,
                None if scope == NOTHING else scope,
            )
            self.datamodel.session.commit()
        except BaseException:
            download.close()
            raise
        response = Response(
            stream_with_context(download.chunks(fmt, columns, title)),
            content_type=exports.MIMETYPES[fmt],
        )
        # The body closes the download when it ends; a response closed before its body was
        # started (the client went away at once) only reaches this.
        response.call_on_close(download.close)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(title, fmt)}"'
        )
        # Personal data: not kept by browsers or proxies.
        response.headers["Cache-Control"] = "no-store, private"
        return response

    def _export_query(self):
        """The list page's query without its paging: search filters from the URL (as
        Flask-AppBuilder's list reads them), the view's base filters (the user's region) and
        eager loads (datamodel), the chosen or default order (Flask-AppBuilder adds the primary
        key to it), or else the primary key: the same rows in the same order as the pages."""
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(type(self).__name__, ("", ""))
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        model = self.datamodel.obj
        query = self.datamodel.apply_all(
            self.datamodel.session.query(model),
            self._filters.get_joined_filters(self._base_filters),
            order_column,
            order_direction,
        )
        return query if order_column else query.order_by(*sa.inspect(model).primary_key)

    def _export_columns(self) -> list[exports.Column]:
        # The view's own formatters (e.g. the NIK rule), not the on-screen formatting of
        # dates and numbers that _init_properties adds: a file keeps real dates and numbers.
        return [
            exports.Column(
                name, str(self.label_columns.get(name, name)), self._declared_formatters.get(name)
            )
            for name in self.list_columns
        ]

    def _init_properties(self):
        super()._init_properties()
        # Flask-AppBuilder offers a list's Python properties (a membership's target) as sort
        # columns too, which the database cannot sort by: only real columns remain.
        self.order_columns = [
            name for name in self.order_columns if name in self.datamodel.list_columns
        ]
        # Masked viewers sort by no NIK, KK number or birth date (app.security.privacy): not in the
        # list's sort links, refused (400) in the URL.
        self.order_columns = OrderColumns(self.order_columns)
        self._declared_formatters = dict(self.formatters_columns)
        shown = set(self.list_columns or []) | set(self.show_columns or [])
        for fieldset in self.show_fieldsets or []:
            shown.update(fieldset[1]["fields"])
        self.formatters_columns = {
            **{
                name: formatting.value
                for name in shown
                if name not in ("register_id", "nik", "kk_number", "code")
            },
            **self.formatters_columns,
        }
        search_filters = dict(self._filters._search_filters)
        all_filters = dict(self._filters._all_filters)
        for key, (label, _field, filter_classes) in self.extra_search.items():
            instances = [cls(key, self.datamodel) for cls in filter_classes]
            search_filters[key] = instances
            all_filters[key] = instances
            self.label_columns.setdefault(key, label)
            if key not in self.search_columns:
                self.search_columns = [*self.search_columns, key]
        self._filters._search_filters = search_filters
        self._filters._all_filters = all_filters

    def _init_forms(self):
        extra = dict(self.search_form_extra_fields or {})
        for key, (_label, form_field, _filters) in self.extra_search.items():
            extra[key] = form_field
        self.search_form_extra_fields = extra
        self.add_form_extra_fields = {
            **register_fields(self.datamodel, self.add_columns or [], self.label_columns),
            **(self.add_form_extra_fields or {}),
        }
        self.edit_form_extra_fields = {
            **register_fields(self.datamodel, self.edit_columns or [], self.label_columns),
            **(self.edit_form_extra_fields or {}),
        }
        if self._versioned and self.edit_columns is not None:
            self.edit_columns = [*self.edit_columns, "expected_version"]
            self.edit_form_extra_fields["expected_version"] = HiddenField()
            if self.edit_fieldsets:
                last_title, last = self.edit_fieldsets[-1]
                self.edit_fieldsets = [
                    *self.edit_fieldsets[:-1],
                    (last_title, {**last, "fields": [*last["fields"], "expected_version"]}),
                ]
        super()._init_forms()
        self.add_form = self._checked(self.add_form, adding=True)
        self.edit_form = self._checked(self.edit_form, adding=False)

    # -- forms --------------------------------------------------------------------------
    def check_form(self, form, adding: bool) -> list[str]:
        """Apply the domain rules to a submitted form. Raise InvalidRecord to refuse it;
        return warnings to show after saving."""
        return []

    @property
    def _versioned(self) -> bool:
        return "version" in self.datamodel.list_columns

    def prefill_form(self, form, pk):
        if self._versioned and hasattr(form, "expected_version"):
            item = self.datamodel.get(pk, self._base_filters)
            form.expected_version.data = item.version if item else ""

    def _check_version(self, form) -> None:
        """The record must not have changed since the form was opened (no lost updates)."""
        item = self.datamodel.get(request.view_args.get("pk"), self._base_filters)
        submitted = (form.expected_version.data or "").strip()
        if item is None or submitted != str(item.version):
            raise Conflict(
                gettext(
                    "Someone else saved this record after you opened it. Nothing was overwritten: "
                    "reopen the record to see their changes, then edit again."
                )
            )

    def pre_update(self, item):
        if hasattr(item, "expected_version"):
            del item.expected_version

    def _checked(self, form_class, adding: bool):
        view = self

        class CheckedForm(form_class):
            def validate(self, extra_validators=None):
                if not super().validate(extra_validators=extra_validators):
                    return False
                try:
                    if not adding and hasattr(self, "expected_version"):
                        view._check_version(self)
                    self.domain_warnings = view.check_form(self, adding)
                except InvalidRecord as error:
                    for field_name, message in error.problems.errors:
                        field = getattr(self, field_name, None)
                        if field is not None and hasattr(field, "errors"):
                            if isinstance(field.errors, tuple):
                                field.errors = list(field.errors)
                            field.errors.append(message)
                        else:
                            flash(message, "danger")
                    return False
                except DomainError as error:
                    flash(error.message, "danger")
                    return False
                for message in self.domain_warnings:
                    flash(message, "warning")
                return True

        CheckedForm.__name__ = form_class.__name__
        return CheckedForm


def _arguments() -> dict[str, list[str]]:
    """The request's URL arguments (search, order, paging), every value of each."""
    return {key: request.args.getlist(key) for key in request.args}


def interface(model):
    return SQLAInterface(model)
