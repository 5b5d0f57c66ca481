"""The upload page for bulk imports (/import/): an Operator (own regency) or an Admin uploads a
CSV file; a queued job imports it (app.imports.jobs) and the page follows its progress, with the
first warnings of an import (a likely duplicate, say) and the problems of the whole file. Each
user sees, follows and downloads the reports of their own imports only."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from flask_login import current_user

from app import audit
from app.errors import DomainError
from app.extensions import db
from app.formatting import moment, number
from app.imports import jobs as import_jobs
from app.imports import limits
from app.imports.report import error_report
from app.security.roles import ADMIN, role_names
from app.security.scope import current_scope
from models import JobRun
from models.enums import JobStatus

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "samples" / "import-households.csv"
RECENT = 15
#: Warnings and whole-file problems shown on the page; the report lists them all.
SHOWN = 10
ROUTE = "/import"


def upload_limit() -> int:
    max_bytes, _rows = limits()
    return min(max_bytes, current_app.config.get("MAX_CONTENT_LENGTH") or max_bytes)


class ImportView(BaseView):
    route_base = ROUTE
    default_view = "index"
    template = "datakesos/import_page.html"
    method_permission_name = {
        name: "import" for name in ("index", "upload", "status", "errors", "sample")
    }

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    def _page(self, status: int = 200):
        runs = [
            _summary(run)
            for run in db.session.scalars(
                sa.select(JobRun)
                .where(JobRun.kind == import_jobs.KIND, JobRun.requested_by_id == current_user.id)
                .order_by(JobRun.id.desc())
                .limit(RECENT)
            )
        ]
        max_bytes, max_rows = limits()
        page = self.render_template(
            self.template,
            runs=runs,
            busy=any(run["active"] for run in runs),
            max_megabytes=_megabytes(upload_limit()),
            max_rows=max_rows,
            direct=ADMIN in role_names(current_user),
        )
        return make_response(page, status)

    def _refuse(self, message: str, status: int):
        flash(message, "danger")
        return self._page(status)

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self._refuse(gettext("Choose a CSV file to import."), 400)
        data = upload.stream.read(upload_limit() + 1)
        if len(data) > upload_limit():
            return self._refuse(_too_large_message(), 413)
        try:
            run = import_jobs.enqueue(
                data, Path(upload.filename).name, current_user, request.remote_addr
            )
        except DomainError as error:
            db.session.rollback()
            return self._refuse(error.message, error.status)
        flash(
            gettext(
                "File %(name)s received: it is checked and imported in the background. "
                "Follow the progress below.",
                name=Path(upload.filename).name,
            ),
            "success",
        )
        return redirect(url_for("ImportView.index", _anchor=f"import-{run.id}"), 303)

    @expose("/<job_id>/status.json")
    @has_access
    def status(self, job_id):
        return jsonify(_summary(_own_job(job_id)))

    @expose("/<job_id>/errors.csv")
    @has_access
    def errors(self, job_id):
        run = _own_job(job_id)
        result = run.result or {}
        if run.status != JobStatus.SUCCEEDED or not (
            result.get("error_count") or result.get("warnings")
        ):
            abort(404)
        # The messages quote the file's NIKs and names: taking them out is audited.
        audit.record_download(
            "import",
            run.id,
            current_scope(),
            file="errors.csv",
            errors=result.get("error_count"),
            warnings=result.get("warning_count"),
        )
        response = make_response(
            error_report(
                result.get("errors") or [],
                result.get("error_count"),
                result.get("warnings") or [],
                result.get("warning_count"),
            )
        )
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="import-{run.id}-errors.csv"'
        )
        response.headers["Cache-Control"] = "no-store, private"
        return response

    @expose("/sample.csv")
    @has_access
    def sample(self):
        response = make_response(SAMPLE.read_bytes())
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = 'attachment; filename="import-households.csv"'
        return response


def _too_large_message() -> str:
    return gettext(
        "The file is larger than the limit of %(size)s MB: split it into smaller "
        "files, or ask an administrator to import it on the command line.",
        size=_megabytes(upload_limit()),
    )


def _megabytes(size: int) -> str:
    return number(round(size / (1024 * 1024), 1))


def _own_job(job_id) -> JobRun:
    """The signed-in user's own import job; anyone else's does not exist for them."""
    if not str(job_id).isdigit() or len(str(job_id)) > 12:
        abort(404)
    run = db.session.get(JobRun, int(job_id))
    if run is None or run.kind != import_jobs.KIND or run.requested_by_id != current_user.id:
        abort(404)
    return run


def _summary(run: JobRun) -> dict:
    result = run.result or {}
    done, total = run.progress_done or 0, run.progress_total
    finished = run.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    failed = run.status == JobStatus.FAILED or bool(result.get("error_count"))
    return {
        "id": run.id,
        "filename": (run.params or {}).get("filename", ""),
        "requested_at": moment(run.requested_at),
        "status": run.status.name,
        "status_label": gettext("Refused") if result.get("error_count") else str(run.status.label),
        "active": not finished,
        "percent": 100 if finished else (int(100 * done / total) if total else 0),
        "message": "" if finished else (run.message or ""),
        "rows": result.get("rows"),
        "counts": result.get("counts") or {},
        "changes": result.get("changes"),
        "applied": bool(result.get("applied")),
        "error_count": result.get("error_count") or (1 if run.status == JobStatus.FAILED else 0),
        "failed": failed,
        "errors_url": url_for("ImportView.errors", job_id=run.id)
        if result.get("error_count")
        else None,
        # A refusal of the whole file (too many likely duplicates, say) is told on the page.
        "file_errors": [
            message for _row, column, message in result.get("errors") or [] if column == "file"
        ][:SHOWN],
        "warning_count": result.get("warning_count") or 0,
        "warnings": (result.get("warnings") or [])[:SHOWN],
        "report_url": url_for("ImportView.errors", job_id=run.id)
        if result.get("error_count") or result.get("warnings")
        else None,
    }
