"""Printed documents (doors of the reports package); the public verification page is
views.verify.

Every route answers 404 for anything outside the user's region scope, and every certificate
issued and report downloaded is written to the audit trail. PDFs are made in `reports/`; the
heavy renderer is imported only when a document is printed.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from app import audit, formatting
from app.codes import PERIOD_CODE, REGION_CODE
from app.errors import DomainError
from app.extensions import db
from app.register import households, regions
from app.security.privacy import sees_full_nik
from app.security.scope import current_scope, in_scope
from models import JobRun, Period, PeriodSnapshot, Region, RegionUser
from models.certificates import ReportFile
from models.enums import HouseholdStatus, JobStatus, PeriodStatus
from models.households import Household
from reports import bulk
from views.verify import register_verify_view

NATIONAL = "ID"
RECENT_JOBS = 20


def _pdf(content: bytes, filename: str):
    response = send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        download_name=filename,
        as_attachment=False,
        max_age=0,
    )
    # Personal data: not kept by browsers or proxies.
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _public_base_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.url_root


class ReportsView(BaseView):
    """Certificates, region recaps, period minutes and village batches."""

    route_base = "/reports"
    default_view = "index"

    # -- the console page ---------------------------------------------------------------------
    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        return self._index_page()

    def _index_page(self, status: int = 200):
        sm = self.appbuilder.sm
        may = {
            name: sm.has_access(f"can_{name}", self.class_permission_name)
            for name in ("bulk", "recap", "minutes")
        }
        periods = db.session.scalars(
            sa.select(Period)
            .where(Period.status.in_([PeriodStatus.CLOSED, PeriodStatus.OPEN]))
            .order_by(Period.code.desc())
            .limit(36)
        ).all()
        page = self.render_template(
            "datakesos/bulk.html",
            may=may,
            jobs=self._recent_jobs() if may["bulk"] else [],
            periods=periods,
            closed=[period for period in periods if period.status == PeriodStatus.CLOSED],
            national=current_scope() == "",
            scope=current_scope(),
            search_url=url_for("RegionSearchView.search"),
        )
        return make_response(page, status)

    def _refuse(self, message: str, status: int):
        flash(message, "warning" if status < 500 else "danger")
        return self._index_page(status)

    # -- certificate --------------------------------------------------------------------------
    @expose("/household/<household_id>/certificate.pdf")
    @has_access
    @permission_name("certificate")
    def certificate(self, household_id):
        from reports import certificates

        household = _household(household_id)
        try:
            pdf, _certificate = certificates.issue_certificate(household, _printing())
        except certificates.NotDetermined as error:
            flash(error.message, "warning")
            return redirect(url_for("HouseholdView.show", pk=household.id))
        return _pdf(pdf, certificates.filename(household))

    # -- region recap -------------------------------------------------------------------------
    @expose("/recap")
    @has_access
    @permission_name("recap")
    def recap_form(self):
        """The console's recap form: region and period chosen, on to the PDF's address."""
        scope = current_scope()
        code = (request.args.get("region") or "").strip() or (scope if scope else NATIONAL)
        period = (request.args.get("period") or "").strip()
        if not (code == NATIONAL or REGION_CODE.fullmatch(code)):
            return self._refuse(gettext("Choose a region."), 400)
        return redirect(url_for("ReportsView.recap", code=code, period=period or None))

    @expose("/region/<code>/recap.pdf")
    @has_access
    @permission_name("recap")
    def recap(self, code):
        from reports.recap_files import recap_file

        scope = _recap_scope(code)
        period = _period(request.args.get("period"))
        recap = recap_file(scope, period, current_user.username)
        audit.record_download(
            "region_recap",
            scope or NATIONAL,
            scope,
            period=period.code,
            provisional=recap.provisional,
        )
        return _pdf(recap.content, recap.filename)

    # -- period minutes -----------------------------------------------------------------------
    @expose("/period/<code>/minutes.pdf")
    @has_access
    @permission_name("minutes")
    def minutes(self, code):
        from reports import minutes

        if not PERIOD_CODE.fullmatch(code or ""):
            abort(404)
        period = db.session.scalar(sa.select(Period).where(Period.code == code))
        if period is None:
            abort(404)
        if period.status != PeriodStatus.CLOSED:
            return self._refuse(
                gettext(
                    "Period %(period)s is not closed yet: its minutes are made when it closes.",
                    period=period.code,
                ),
                404,
            )
        scope = current_scope()
        if scope == "":
            # The national minutes run to many pages: printed once, off the request.
            kept = minutes.stored(period)
            if kept is None:
                bulk.request_minutes(period.id, current_user.id)
                return self._refuse(
                    gettext(
                        "The minutes of period %(period)s are being printed; open them again in a "
                        "minute.",
                        period=period.code,
                    ),
                    202,
                )
            content, name = kept.content, kept.filename
        else:
            kept = None
            content = minutes.render(minutes.build(period, scope), current_user.username)
            name = minutes.filename(period, scope)
        audit.record_download(
            "period_minutes", period.code, scope, period=period.code, stored=kept is not None
        )
        return _pdf(content, name)

    # -- village batches ----------------------------------------------------------------------
    @expose("/bulk", methods=["POST"])
    @has_access
    @permission_name("bulk")
    def bulk_start(self):
        code = (request.form.get("village_code") or "").strip()[:13]
        try:
            village = regions.get_village(code)
        except DomainError as error:
            return self._refuse(error.message, 400)
        if not in_scope(village.code):
            abort(404)
        for job in self._recent_jobs(active_only=True):
            if job["village_code"] == village.code:
                flash(
                    gettext(
                        "Certificates for %(village)s are already being printed.",
                        village=village.name,
                    ),
                    "info",
                )
                return redirect(url_for("ReportsView.index"))
        if not _has_determined_households(village.code):
            return self._refuse(
                gettext(
                    "No household of %(village)s is in a determined register yet: there is nothing "
                    "to print.",
                    village=village.name,
                ),
                409,
            )
        bulk.enqueue(village.code, _public_base_url(), current_user.id)
        flash(
            gettext(
                "Certificates for %(village)s are queued; this page shows their progress.",
                village=village.name,
            ),
            "success",
        )
        return redirect(url_for("ReportsView.index"))

    @expose("/bulk/<job_id>/status.json")
    @has_access
    @permission_name("bulk")
    def bulk_status(self, job_id):
        job = _bulk_job(job_id)
        return jsonify(_job_summary(job))

    @expose("/bulk/<job_id>/certificates.pdf")
    @has_access
    @permission_name("bulk")
    def bulk_download(self, job_id):
        job = _bulk_job(job_id)
        report = db.session.scalar(sa.select(ReportFile).where(ReportFile.job_run_id == job.id))
        if job.status != JobStatus.SUCCEEDED or report is None:
            abort(404)
        audit.record_download(
            "bulk_certificates", job.id, report.region_code, file=report.filename, size=report.size
        )
        return _pdf(report.content, report.filename)

    def _recent_jobs(self, active_only: bool = False) -> list[dict]:
        query = sa.select(JobRun).where(JobRun.kind == bulk.KIND).order_by(JobRun.id.desc())
        if active_only:
            query = query.where(JobRun.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        found = []
        for job in db.session.scalars(query.limit(200)):
            if in_scope((job.params or {}).get("village_code")):
                found.append(_job_summary(job))
            if len(found) >= RECENT_JOBS:
                break
        return found


def _household(household_id):
    if not str(household_id).isdigit() or len(str(household_id)) > 12:
        abort(404)
    household = households.household_in_scope(household_id)
    if household is None:
        abort(404)
    return household


def _printing():
    from reports.certificates import Printing

    return Printing(
        user_id=current_user.id,
        username=current_user.username,
        full_nik=sees_full_nik(),
        base_url=_public_base_url(),
    )


def _recap_scope(code: str) -> str:
    """The region prefix of a recap: "ID" is national. Unknown or out of scope → 404."""
    if code == NATIONAL:
        if current_scope() != "":
            abort(404)
        return ""
    if not REGION_CODE.fullmatch(code or "") or not in_scope(code):
        abort(404)
    if db.session.get(Region, code) is None:
        abort(404)
    return code


def _period(code: str | None) -> Period:
    """The asked period; without one, the latest closed period (or the open one)."""
    if code:
        if not PERIOD_CODE.fullmatch(code):
            abort(400, description=gettext("A period is written YYYY-MM, e.g. 2026-05."))
        period = db.session.scalar(sa.select(Period).where(Period.code == code))
    else:
        period = db.session.scalar(
            sa.select(Period)
            .where(Period.status == PeriodStatus.CLOSED)
            .order_by(Period.code.desc())
            .limit(1)
        ) or db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
    if period is None:
        abort(404)
    return period


def _has_determined_households(village_code: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.literal(1))
            .select_from(Household)
            .join(PeriodSnapshot, PeriodSnapshot.household_id == Household.id)
            .join(Period, Period.id == PeriodSnapshot.period_id)
            .where(
                Household.village_code == village_code,
                Household.status == HouseholdStatus.ACTIVE,
                Period.status == PeriodStatus.CLOSED,
            )
            .limit(1)
        )
        is not None
    )


def _bulk_job(job_id) -> JobRun:
    if not str(job_id).isdigit() or len(str(job_id)) > 12:
        abort(404)
    job = db.session.get(JobRun, int(job_id))
    if job is None or job.kind != bulk.KIND or not in_scope((job.params or {}).get("village_code")):
        abort(404)
    return job


def _job_summary(job: JobRun) -> dict:
    code = (job.params or {}).get("village_code")
    village = db.session.get(Region, code) if code else None
    requester = db.session.get(RegionUser, job.requested_by_id) if job.requested_by_id else None
    done, total = job.progress_done or 0, job.progress_total
    succeeded = job.status == JobStatus.SUCCEEDED
    failed = job.status == JobStatus.FAILED
    result = job.result or {}
    return {
        "id": job.id,
        "village_code": code,
        "village": village.name if village else code,
        "requested_by": requester.username if requester else "",
        "requested_at": job.requested_at.isoformat() if job.requested_at else None,
        "requested_at_shown": formatting.moment(job.requested_at),
        "status": job.status.name,
        "status_label": str(job.status.label),
        "done": done,
        "total": total,
        "percent": 100
        if failed or (succeeded and not total)
        else (int(100 * done / total) if total else 0),
        "message": "" if succeeded or failed else (job.message or ""),
        "certificates": result.get("certificates"),
        "skipped": result.get("skipped"),
        "download_url": url_for("ReportsView.bulk_download", job_id=job.id)
        if succeeded and result.get("file_id")
        else None,
        "failed": failed,
    }


def register_report_views(appbuilder) -> None:
    appbuilder.add_view(
        ReportsView, "Reports", label=lazy_gettext("Reports and certificates"), icon="fa-print"
    )
    register_verify_view(appbuilder)
