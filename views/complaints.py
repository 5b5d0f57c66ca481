"""The regency's queue of residents' submissions (/complaints/): the list in the user's region
with each one's deadline state, the page with its photos and map point, starting the
verification, the decision with its reason, and the operator's follow-up task. The rules are
app.complaints.deciding's; this door reads forms and shows answers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SelectField

from app import audit, codes
from app.complaints import deciding, tracking
from app.errors import DomainError
from app.maps import shapes, svg
from app.security.scope import InUserRegion
from models.complaints import Complaint
from models.enums import ComplaintKind
from views.base import RegisterModelView
from views.datamodel import RegisterInterface

LABELS = {
    "code": lazy_gettext("Tracking code"),
    "kind": lazy_gettext("Kind"),
    "status": lazy_gettext("Status"),
    "village": lazy_gettext("Village"),
    "village_code": lazy_gettext("Village"),
    "regency_code": lazy_gettext("Regency/city"),
    "received_at": lazy_gettext("Received"),
    "due_at": lazy_gettext("Decision due by"),
    "deadline": lazy_gettext("Deadline"),
    "reason": lazy_gettext("Reason"),
}


class ComplaintInterface(RegisterInterface):
    """The list's `deadline` column is the SLA state of app.complaints.deciding."""

    @staticmethod
    def _get_attr_value(item, col):
        if col == "deadline":
            return deciding.sla(item).label
        return RegisterInterface._get_attr_value(item, col)


class FilterWork(BaseFilter):
    """What waits: awaiting a decision, past the deadline, or an operator's task (Beranda's
    counts link here with exactly these conditions)."""

    name = lazy_gettext("is")
    arg_name = "work"

    def apply(self, query, value):
        condition = deciding.WORK.get(value)
        return query.filter(condition()) if condition else query.filter(sa.false())


WORK_CHOICES = [
    ("open", lazy_gettext("Awaiting a decision")),
    ("breached", lazy_gettext("Past the deadline")),
    ("task", lazy_gettext("Task to follow up")),
]


class ComplaintView(RegisterModelView):
    route_base = "/complaints"
    datamodel = ComplaintInterface(Complaint)
    base_filters = [["regency_code", InUserRegion, lambda: None]]
    include_route_methods = {"list", "show", "start", "decide", "task", "photo"}
    method_permission_name = {
        "start": "decide",
        "decide": "decide",
        "task": "task",
        "photo": "photo",
    }
    list_title = lazy_gettext("Residents' submissions")
    show_title = lazy_gettext("Resident's submission")
    list_columns = ["code", "kind", "status", "village", "received_at", "due_at", "deadline"]
    order_columns = ["received_at", "due_at"]
    search_columns = ["kind", "status", "reason", "village_code"]
    base_order = ("due_at", "asc")
    label_columns = LABELS
    formatters_columns = {"code": tracking.display}
    extra_search = {
        "work": (
            lazy_gettext("Work"),
            SelectField(lazy_gettext("Work"), choices=WORK_CHOICES, widget=Select2Widget()),
            [FilterWork],
        )
    }

    def _complaint_or_404(self, pk) -> Complaint:
        try:
            return deciding.find(int(pk) if str(pk).isdigit() else -1, current_user)
        except DomainError:
            abort(404)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        complaint = self._complaint_or_404(pk)
        sees_photos = deciding.regency_user(current_user, complaint)
        return self.render_template(
            "datakesos/complaint_show.html",
            title=self.show_title,
            complaint=complaint,
            code=tracking.display(complaint.code),
            sla=deciding.sla(complaint),
            merged=deciding.merged_into(complaint),
            photos=deciding.photos_of(complaint) if sees_photos else [],
            sees_photos=sees_photos,
            point_map=_point_map(complaint),
            may_decide=self.appbuilder.sm.has_access("can_decide", "ComplaintView")
            and deciding.may_decide(current_user, complaint),
            may_finish_task=self.appbuilder.sm.has_access("can_task", "ComplaintView")
            and deciding.may_finish_task(current_user, complaint),
            Kind=ComplaintKind,
        )

    @expose("/start/<pk>", methods=["POST"])
    @has_access
    def start(self, pk):
        complaint = self._complaint_or_404(pk)
        self._act(
            lambda: deciding.start_verification(complaint, current_user),
            gettext("The verification has started; the resident's tracking page says so."),
        )
        return redirect(url_for("ComplaintView.show", pk=complaint.id))

    @expose("/decide/<pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        complaint = self._complaint_or_404(pk)
        upheld = request.form.get("decision") == "uphold"
        if request.form.get("decision") not in ("uphold", "reject"):
            flash(gettext("Choose whether the submission is upheld or rejected."), "danger")
            return redirect(url_for("ComplaintView.show", pk=complaint.id))
        self._act(
            lambda: deciding.decide(complaint, current_user, upheld, request.form.get("reason")),
            _decided_message(complaint, upheld),
        )
        return redirect(url_for("ComplaintView.show", pk=complaint.id))

    @expose("/task/<pk>", methods=["POST"])
    @has_access
    def task(self, pk):
        complaint = self._complaint_or_404(pk)
        self._act(
            lambda: deciding.finish_task(complaint, current_user),
            gettext("The task is recorded as done."),
        )
        return redirect(url_for("ComplaintView.show", pk=complaint.id))

    @expose("/photo/<pk>")
    @has_access
    def photo(self, pk):
        try:
            found = deciding.photo(int(pk) if str(pk).isdigit() else -1, current_user)
        except DomainError:
            abort(404)
        complaint = self._complaint_or_404(found.complaint_id)
        audit.record_download("complaint_photo", found.id, complaint.village_code)
        response = make_response(found.content)
        response.mimetype = found.media_type
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Content-Disposition"] = (
            f'inline; filename="foto-{found.id}.{found.media_type.split("/")[-1]}"'
        )
        return response

    def _act(self, action, success: str) -> None:
        from app.extensions import db

        try:
            action()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(success, "success")


def _decided_message(complaint: Complaint, upheld: bool) -> str:
    if not upheld:
        return gettext("Rejected. The resident's tracking page shows the reason.")
    return {
        ComplaintKind.OBJECTION: gettext(
            "Upheld: the household's deactivation is verified and applied at the next close."
        ),
        ComplaintKind.PROPOSAL: gettext(
            "Upheld: the regency's operators now propose the household (their task)."
        ),
        ComplaintKind.DECILE: gettext(
            "Upheld: the regency's operators now correct the household's data (their task)."
        ),
    }[complaint.kind]


def _point_map(complaint: Complaint):
    """The district's outline with the house's point, or None without coordinates."""
    if complaint.latitude is None:
        return None
    district = shapes.shape(codes.ancestor(complaint.village_code, 3))
    dot = svg.Dot(
        complaint.longitude, complaint.latitude, "#b3261e", gettext("The house"), radius=6
    )
    if district is None:
        return None
    return svg.render(
        [],
        [dot],
        [],
        gettext("The house in its district"),
        outline=[district],
        width=360,
        interactive=False,
    )


def register_complaint_views(appbuilder) -> None:
    appbuilder.add_view(
        ComplaintView,
        "Residents' submissions",
        label=lazy_gettext("Residents' submissions"),
        icon="fa-bullhorn",
        category="Updating",
    )
