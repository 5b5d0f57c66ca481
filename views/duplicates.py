"""The review queue of duplicate candidates (/duplicates/): the list of the user's region, the two
records side by side with what matched, the decisions "same person" and "different people",
and the scan queued for the scheduler. The rules are app.duplicates' (who sees and decides) and
app.proposals.merging's (the merge through the close); this door reads forms and shows answers.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from app import jobs
from app.duplicates import review, scanning
from app.errors import DomainError
from app.proposals import merging
from app.security.scope import current_scope
from models import DuplicateCandidate, JobRun
from models.enums import DuplicateStatus
from views.base import RegisterModelView
from views.datamodel import RegisterInterface

#: What each reason of app.duplicates.scoring means, and the row of the comparison it marks.
REASONS = {
    "name_same": (lazy_gettext("same name"), "name"),
    "name_similar": (lazy_gettext("similar name"), "name"),
    "name_close": (lazy_gettext("name alike"), "name"),
    "birth_date_same": (lazy_gettext("same birth date"), "birth_date"),
    "birth_date_swapped": (lazy_gettext("day and month of birth swapped"), "birth_date"),
    "birth_date_one_field": (lazy_gettext("birth date one part off"), "birth_date"),
    "nik_one_edit": (lazy_gettext("NIK one typo away"), "nik"),
    "nik_two_edits": (lazy_gettext("NIK two typos away"), "nik"),
    "sex_differs": (lazy_gettext("another sex"), "sex"),
    "same_kk": (lazy_gettext("same family card"), "kk_number"),
    "same_address": (lazy_gettext("same address"), "address"),
    "members_match": (lazy_gettext("most of their people are likely duplicates"), "members"),
}
RECENT_SCANS = 5
LABELS = {
    "id": lazy_gettext("No."),
    "first_id": lazy_gettext("Record 1"),
    "second_id": lazy_gettext("Record 2"),
    "first_household_id": lazy_gettext("Household 1"),
    "second_household_id": lazy_gettext("Household 2"),
    "level": lazy_gettext("Level"),
    "score": lazy_gettext("Score"),
    "reasons": lazy_gettext("Why"),
    "status": lazy_gettext("Status"),
    "regency_code": lazy_gettext("Regency/city"),
    "other_regency_code": lazy_gettext("Regency/city of record 2"),
    "found_at": lazy_gettext("Found"),
    "decided_at": lazy_gettext("Decided"),
}


def reasons_text(reasons) -> str:
    return ", ".join(str(REASONS[code][0]) for code in reasons or () if code in REASONS)


class DuplicateView(RegisterModelView):
    route_base = "/duplicates"
    datamodel = RegisterInterface(DuplicateCandidate)
    base_filters = review.BASE_FILTERS
    include_route_methods = {"list", "show", "same", "different", "scan"}
    method_permission_name = {"same": "decide", "different": "decide"}
    list_title = lazy_gettext("Duplicate candidates")
    show_title = lazy_gettext("Duplicate candidate")
    list_columns = ["id", "level", "score", "reasons", "status", "regency_code", "found_at"]
    order_columns = ["id", "score", "found_at"]
    search_columns = ["level", "status"]
    base_order = ("score", "desc")
    label_columns = LABELS
    formatters_columns = {"reasons": reasons_text}
    list_template = "datakesos/duplicate_list.html"

    def _candidate_or_404(self, pk) -> DuplicateCandidate:
        try:
            return review.candidate_in_scope(pk)
        except DomainError:
            abort(404)

    @expose("/list/")
    @has_access
    def list(self):
        self._refuse_malformed_list_arguments()
        self.update_redirect()
        return self.render_template(
            self.list_template, title=self.list_title, widgets=self._list(), scans=self._scans()
        )

    def _scans(self) -> list[JobRun]:
        if not self.appbuilder.sm.has_access("can_scan", "DuplicateView"):
            return []
        from app.extensions import db

        return (
            db.session.query(JobRun)
            .filter(JobRun.kind == scanning.JOB_KIND)
            .order_by(JobRun.id.desc())
            .limit(RECENT_SCANS)
            .all()
        )

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        candidate = self._candidate_or_404(pk)
        scope = current_scope()
        first, second = (
            (candidate.first_household, candidate.second_household)
            if candidate.of_households
            else (candidate.first, candidate.second)
        )
        records = [
            ("first", first, review.sees_record(candidate, "first", scope)),
            ("second", second, review.sees_record(candidate, "second", scope)),
        ]
        matched = {REASONS[code][1] for code in candidate.reasons or () if code in REASONS}
        may_decide = self.appbuilder.sm.has_access("can_decide", "DuplicateView") and all(
            seen for _which, _member, seen in records
        )
        return self.render_template(
            "datakesos/duplicate_show.html",
            title=self.show_title,
            candidate=candidate,
            records=records,
            matched=matched,
            reasons=[REASONS[code][0] for code in candidate.reasons or () if code in REASONS],
            may_decide=may_decide and candidate.status is DuplicateStatus.OPEN,
        )

    @expose("/same/<pk>", methods=["POST"])
    @has_access
    def same(self, pk):
        candidate = self._candidate_or_404(pk)
        try:
            merging.merge_duplicate(
                candidate, current_user, request.form.get("keep"), request.form.get("note")
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                gettext(
                    "Decided: the same household. The other household leaves the register as a "
                    "duplicate at the next close, and its programs go to the household kept."
                )
                if candidate.of_households
                else gettext(
                    "Decided: the same person. The other record leaves the register as a "
                    "duplicate at the next close, and its programs go to the record kept."
                ),
                "success",
            )
        return redirect(url_for("DuplicateView.show", pk=candidate.id))

    @expose("/different/<pk>", methods=["POST"])
    @has_access
    def different(self, pk):
        candidate = self._candidate_or_404(pk)
        try:
            review.decide_different(candidate, current_user, request.form.get("note"))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                gettext("Decided: different households. The pair is not raised again.")
                if candidate.of_households
                else gettext("Decided: different people. The pair is not raised again."),
                "success",
            )
        return redirect(url_for("DuplicateView.show", pk=candidate.id))

    @expose("/scan", methods=["POST"])
    @has_access
    @permission_name("scan")
    def scan(self):
        try:
            region = scanning.check_region(request.form.get("region"))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            run = jobs.enqueue_once(
                scanning.JOB_KIND, {"region": region}, requested_by_id=current_user.id
            )
            flash(
                gettext(
                    "The duplicate scan is queued (job %(job)s); the scheduler runs it.",
                    job=run.id,
                ),
                "success",
            )
        return redirect(url_for("DuplicateView.list"))


def register_duplicate_views(appbuilder) -> None:
    appbuilder.add_view(
        DuplicateView,
        "Duplicates",
        label=lazy_gettext("Duplicate candidates"),
        icon="fa-clone",
        category="Register",
    )
