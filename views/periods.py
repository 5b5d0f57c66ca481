"""Periods in the console: the list of updating periods, and the period close page where Pusdatin
sets the close schedule, presses "Tutup sekarang" and follows the close jobs. "Tutup sekarang"
first shows what the close would determine (app.periods.close_summary) and asks for a
confirmation, with a reason when the period's last day is still to come; only the confirmation
queues the close. Both forms only write rows (the schedule, a queued job): the close itself runs
in the scheduler process."""

import zoneinfo

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from app import periods
from app.errors import DomainError
from app.extensions import db
from app.register.reference import open_period
from models import JobRun, Period
from models.enums import JobStatus
from views import labels
from views.base import RegisterModelView

#: Time zones offered first in the schedule form (any IANA name is accepted).
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
HISTORY_SIZE = 25


class PeriodView(RegisterModelView):
    route_base = "/periods"
    datamodel = SQLAInterface(Period)
    base_permissions = ["can_list", "can_show"]
    list_title = lazy_gettext("Updating periods")
    show_title = lazy_gettext("Updating period")
    list_columns = ["code", "start_date", "end_date", "status", "closed_at"]
    show_columns = list_columns
    base_order = ("code", "desc")
    label_columns = labels.PERIOD


def _user_id():
    return getattr(current_user, "id", None)


class PeriodCloseView(BaseView):
    """/period-close/: schedule, close now, job history (with live progress)."""

    route_base = "/period-close"
    default_view = "index"
    template = "datakesos/period_close.html"
    confirm_template = "datakesos/period_close_confirm.html"
    method_permission_name = {
        "index": "list",
        "schedule": "edit",
        "close_now": "edit",
        "confirm_close": "edit",
    }

    @expose("/")
    @has_access
    def index(self):
        return self._page(_schedule_values(periods.current_schedule()))

    def _page(self, form: dict, error_field: str | None = None, status: int = 200):
        schedule = periods.current_schedule()
        runs = db.session.scalars(
            sa.select(JobRun)
            .where(JobRun.kind == periods.JOB_KIND)
            .order_by(JobRun.id.desc())
            .limit(HISTORY_SIZE)
        ).all()
        period = open_period()
        page = self.render_template(
            self.template,
            period=period,
            next_code=periods.next_month(period.start_date)[0] if period else None,
            schedule=schedule,
            next_close=periods.next_scheduled_close(schedule),
            form=form,
            error_field=error_field,
            zones=INDONESIAN_ZONES,
            all_zones=sorted(zoneinfo.available_timezones()),
            runs=runs,
            steps=len(periods.STEPS),
            busy=any(run.status in (JobStatus.QUEUED, JobStatus.RUNNING) for run in runs),
            can_edit=self.appbuilder.sm.has_access("can_edit", type(self).__name__),
            recent=db.session.scalars(
                sa.select(Period).order_by(Period.code.desc()).limit(6)
            ).all(),
        )
        return page, status

    @expose("/schedule", methods=["POST"])
    @has_access
    def schedule(self):
        form = request.form
        try:
            periods.save_schedule(
                form.get("day_of_month"),
                form.get("hour"),
                form.get("minute"),
                form.get("timezone"),
                enabled=form.get("enabled") == "y",
                user_id=_user_id(),
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            # Nothing was saved; the form keeps what was typed.
            return self._page(form.to_dict(), error.field, 400)
        flash(
            gettext("Close schedule saved. The scheduler process applies it within seconds."),
            "success",
        )
        return redirect(url_for(f"{type(self).__name__}.index"))

    @expose("/close-now", methods=["GET", "POST"])
    @has_access
    def close_now(self):
        """The confirmation of "Tutup sekarang": the pre-close summary; nothing is queued."""
        return self._confirmation(request.form.get("early_reason", ""))

    def _confirmation(self, reason: str, error_field: str | None = None, status: int = 200):
        period = open_period()
        if period is None:
            flash(gettext("No period is open, so none can be closed."), "danger")
            return redirect(url_for(f"{type(self).__name__}.index"))
        page = self.render_template(
            self.confirm_template,
            summary=periods.close_summary(period),
            reason=reason,
            error_field=error_field,
            pending=periods.pending_close(period.code),
        )
        return page, status

    @expose("/close-now/confirm", methods=["POST"])
    @has_access
    def confirm_close(self):
        reason = request.form.get("early_reason", "")
        try:
            # The period the confirmation showed, not whichever is open by now.
            run, created = periods.request_close(
                request.form.get("code") or None, requested_by_id=_user_id(), early_reason=reason
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            # Nothing was queued; the confirmation keeps the reason as typed.
            return self._confirmation(reason, error.field, 400)
        else:
            code = (run.params or {}).get("code")
            if created:
                flash(
                    gettext(
                        "The close of period %(code)s is queued (job %(job)s); the scheduler "
                        "process runs it. Follow its progress below.",
                        code=code,
                        job=run.id,
                    ),
                    "success",
                )
            else:
                flash(
                    gettext(
                        "A close of period %(code)s is already queued or running (job %(job)s); no "
                        "second one was queued.",
                        code=code,
                        job=run.id,
                    ),
                    "warning",
                )
        return redirect(url_for(f"{type(self).__name__}.index"))


def _schedule_values(schedule) -> dict:
    if schedule is None:
        return {
            "day_of_month": "25",
            "hour": "23",
            "minute": "0",
            "timezone": periods.DEFAULT_TIMEZONE,
            "enabled": "y",
        }
    return {
        "day_of_month": str(schedule.day_of_month),
        "hour": str(schedule.hour),
        "minute": str(schedule.minute),
        "timezone": schedule.timezone,
        "enabled": "y" if schedule.enabled else "",
    }
