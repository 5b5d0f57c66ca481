"""Village deliberations (musyawarah desa) in the console: the sessions of the user's region,
the form an Operator records a session with (its minutes as a PDF), a session's page with its
overrides and the form that proposes one, and the minutes' download. A record of a meeting is
not rewritten: no edit, no delete. The rules are app.ranking.deliberation's; these doors read
forms and show answers."""

import io

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext, lazy_gettext
from flask_wtf.file import FileField
from sqlalchemy.orm import defer, selectinload
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Optional as OptionalValue
from wtforms.widgets import DateInput

from app import audit
from app.errors import DomainError
from app.ranking import deliberation as deliberations
from app.security.scope import region_filter
from models import Deliberation
from views import labels
from views.base import RegisterModelView
from views.datamodel import RegisterInterface
from views.filters import FilterInRegion
from views.widgets import RegionSearchField

LABELS = {
    **labels.COMMON,
    "village": lazy_gettext("Village"),
    "village_code": lazy_gettext("Village"),
    "period": lazy_gettext("Period"),
    "held_on": lazy_gettext("Date held"),
    "participants": lazy_gettext("Participants"),
    "minutes_filename": lazy_gettext("Minutes (PDF)"),
    "minutes_sha256": lazy_gettext("SHA-256 of the minutes"),
    "created_by": lazy_gettext("Recorded by"),
    "created_at": lazy_gettext("Recorded"),
    "override_count": lazy_gettext("Overrides"),
}


class DeliberationInterface(RegisterInterface):
    """The list's rows carry their number of overrides (`override_count`), counted for the
    whole page in one query."""

    def query(self, *args, **kwargs):
        count, items = super().query(*args, **kwargs)
        counts = deliberations.override_counts([item.id for item in items])
        for item in items:
            item.override_count = counts.get(item.id, 0)
        return count, items


class SessionForm(DynamicForm):
    village_code = RegionSearchField(lazy_gettext("Village"), validators=[DataRequired()])
    held_on = DateField(
        lazy_gettext("Date held"),
        widget=DateInput(),
        validators=[DataRequired()],
        description=lazy_gettext("Within the open period, not later than today."),
    )
    participants = TextAreaField(
        lazy_gettext("Participants"),
        validators=[OptionalValue()],
        widget=BS3TextAreaFieldWidget(),
        description=lazy_gettext(
            "Who took part, one per line: the village head, the facilitator, heads of RT/RW, "
            "community representatives."
        ),
    )
    minutes = FileField(
        lazy_gettext("Minutes (PDF)"),
        validators=[OptionalValue()],
        description=lazy_gettext("The signed minutes (berita acara) as a PDF file."),
    )


DECILE_CHOICES = [SelectChoice("", "—")] + [
    SelectChoice(str(decile), str(decile)) for decile in deliberations.DECILES
]


class OverrideForm(DynamicForm):
    household = StringField(
        lazy_gettext("Register ID of the household"), validators=[OptionalValue()]
    )
    decile = SelectField(
        lazy_gettext("Deliberation decile"), choices=DECILE_CHOICES, validators=[OptionalValue()]
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[OptionalValue()],
        widget=BS3TextAreaFieldWidget(),
        description=lazy_gettext(
            "What the deliberation found about the household, for the verifier to check."
        ),
    )


def _show_error(form, error: DomainError) -> None:
    """The message next to its field, or at the top of the page."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


def _form_errors_flashed(form) -> None:
    """A refused CSRF token (an expired page) is shown at the top: it belongs to no field."""
    for message in getattr(form, "csrf_token", None) and form.csrf_token.errors or []:
        flash(message, "danger")


class DeliberationView(RegisterModelView):
    route_base = "/deliberations"
    # The minutes' bytes (up to DELIBERATION_MINUTES_MAX_BYTES each) are read by their download
    # only, never by a list or a page.
    datamodel = DeliberationInterface(
        Deliberation,
        eager=[selectinload(Deliberation.created_by), defer(Deliberation.minutes_pdf)],
    )
    base_filters = region_filter("village_code")
    include_route_methods = {"list", "show", "add", "override", "minutes"}
    base_permissions = ["can_list", "can_show", "can_add", "can_override"]
    # Whoever reads a session reads its minutes.
    method_permission_name = {"minutes": "show"}
    list_title = lazy_gettext("Village deliberations")
    show_title = lazy_gettext("Village deliberation")
    add_title = lazy_gettext("Record a village deliberation")
    list_columns = ["village", "period", "held_on", "override_count"]
    order_columns = ["held_on"]
    search_columns = ["period", "held_on"]
    base_order = ("id", "desc")
    label_columns = LABELS
    show_fieldsets = [
        (
            lazy_gettext("Village deliberation"),
            {
                "fields": [
                    "village",
                    "period",
                    "held_on",
                    "participants",
                    "minutes_filename",
                    "minutes_sha256",
                    "created_by",
                    "created_at",
                ]
            },
        ),
    ]
    # Forms are SessionForm and OverrideForm; these keep Flask-AppBuilder from building forms
    # of every column (the minutes' bytes included).
    add_columns = ["held_on", "participants"]
    edit_columns = ["held_on", "participants"]
    extra_search = {
        "region": (
            lazy_gettext("Region"),
            RegionSearchField(lazy_gettext("Region"), level=None),
            [FilterInRegion],
        ),
    }
    show_template = "datakesos/deliberation_show.html"
    add_template = "datakesos/deliberation_add.html"

    def _export_columns(self):
        # The override count is not a column of the table the export streams.
        return [column for column in super()._export_columns() if column.name != "override_count"]

    def _deliberation_or_404(self, pk) -> Deliberation:
        deliberation = self.datamodel.get(pk, self._base_filters)
        if deliberation is None:
            abort(404)
        return deliberation

    # -- a session's page ---------------------------------------------------------------------
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        return self._show_page(pk, OverrideForm())

    def _show_page(self, pk, form, status: int = 200):
        deliberation = self._deliberation_or_404(pk)
        widgets = self._show(pk)
        may_override = deliberations.is_open(deliberation) and self.appbuilder.sm.has_access(
            "can_override", type(self).__name__
        )
        households = deliberations.active_households(deliberation.village_code)
        return self.render_show(
            pk,
            widgets,
            deliberation=deliberation,
            overrides=deliberations.overrides_of(deliberation),
            cap=deliberations.override_cap(deliberation, households),
            counted=deliberations.overrides_counted(deliberation),
            households=households,
            compared=deliberations.model_period(deliberation),
            may_override=may_override,
            override_form=form,
        ), status

    @expose("/override/<pk>", methods=["POST"])
    @has_access
    def override(self, pk):
        deliberation = self._deliberation_or_404(pk)
        form = OverrideForm()
        if not form.validate():
            _form_errors_flashed(form)
            return self._show_page(pk, form, 400)
        try:
            household = deliberations.household_for(deliberation, form.household.data)
            proposal = deliberations.propose_override(
                deliberation, household.id, form.decile.data, form.reason.data
            )
        except DomainError as error:
            _show_error(form, error)
            return self._show_page(pk, form, error.status)
        flash(
            gettext(
                "Override of household %(id)s to decile %(decile)s submitted for verification.",
                id=household.register_id,
                decile=proposal.decile,
            ),
            "success",
        )
        return redirect(url_for(f"{type(self).__name__}.show", pk=deliberation.id), 303)

    # -- recording a session ------------------------------------------------------------------
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = SessionForm()
        status = 200
        if request.method == "POST":
            if form.validate():
                try:
                    deliberation = deliberations.record_session(
                        form.village_code.data,
                        form.held_on.data,
                        form.participants.data,
                        *self._uploaded(form),
                    )
                except DomainError as error:
                    _show_error(form, error)
                    status = error.status
                else:
                    flash(
                        gettext("Deliberation recorded. Propose the households it moves below."),
                        "success",
                    )
                    return redirect(url_for(f"{type(self).__name__}.show", pk=deliberation.id), 303)
            else:
                _form_errors_flashed(form)
                status = 400
        return self.render_template(
            self.add_template,
            title=self.add_title,
            form=form,
            max_megabytes=f"{self._minutes_limit() / (1024 * 1024):g}",
            cancel_url=url_for(f"{type(self).__name__}.list"),
        ), status

    def _minutes_limit(self) -> int:
        return current_app.config["DELIBERATION_MINUTES_MAX_BYTES"]

    def _uploaded(self, form) -> tuple[bytes | None, str | None]:
        upload = form.minutes.data
        if upload is None or not getattr(upload, "filename", ""):
            return None, None
        # One byte more than allowed is enough to know it is too large.
        return upload.stream.read(self._minutes_limit() + 1), upload.filename

    # -- the minutes --------------------------------------------------------------------------
    @expose("/minutes/<pk>", methods=["GET"])
    @has_access
    def minutes(self, pk):
        deliberation = self._deliberation_or_404(pk)
        pdf, filename = deliberation.minutes_pdf, deliberation.minutes_filename
        if not pdf:
            abort(404)
        # The minutes name the people who spoke and the households discussed: taking them out
        # is audited, as every file with register data is.
        audit.record_download(
            "deliberation",
            deliberation.id,
            deliberation.village_code,
            file=filename,
            sha256=deliberation.minutes_sha256,
        )
        response = send_file(
            io.BytesIO(pdf),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=filename or f"berita-acara-{pk}.pdf",
        )
        response.headers["Cache-Control"] = "no-store, private"
        return response
