"""The close as a job: queued by the console or the schedule (`request_close`), run by the
scheduler process (`close_job`, registered as JOB_KIND by create_app (app/__init__.py)), and
followed by its minutes (berita acara), a job of their own that the close queues by its kind's name,
MINUTES_KIND: printing them is reports.bulk's, which the close does not import."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask_babel import gettext

from app import audit, jobs
from app.duplicates import scanning as duplicate_scan
from app.errors import DomainError
from app.extensions import db, is_postgresql
from app.locks import file_lock, sqlite_lock_path
from app.periods import readiness
from app.periods.closing import CLOSE_LOCK_KEY, STEPS, CloseResult, close_period, period_to_close
from app.register.reference import period_by_code
from models import JobRun
from models.enums import PeriodStatus

JOB_KIND = "close_period"
#: The minutes of a closed period (reports.bulk.period_minutes prints them).
MINUTES_KIND = "period_minutes"
#: The closed period's region recaps, printed once and kept (reports.recap_files).
RECAPS_KIND = "region_recaps"
#: PostgreSQL advisory lock key (per database) of enqueueing a close.
ENQUEUE_LOCK_KEY = CLOSE_LOCK_KEY + 1


def _enqueue_lock():
    """Serialise 'is a close already queued? then queue one' between processes."""
    engine = db.engine
    if is_postgresql(engine):
        db.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.literal(ENQUEUE_LOCK_KEY, sa.BigInteger)))
        )
        return contextlib.nullcontext(True)
    return file_lock(sqlite_lock_path(engine, "enqueue"), blocking=True)


def pending_close(code: str) -> JobRun | None:
    """A close job of this period that is queued or running."""
    return jobs.pending(JOB_KIND, code=code)


def request_close(
    code: str | None = None,
    requested_by_id: int | None = None,
    early_reason: str | None = None,
    scheduled: bool = False,
) -> tuple[JobRun, bool]:
    """Queue a close of the open period (or of `code`) for the scheduler process, after a
    national duplicate scan; never runs it. Returns (job, created): when a close of that period is
    already queued or running, that job and False.

    Refused as the close itself refuses (app.periods.readiness): a period that has not begun, or
    an early one without `early_reason` unless `scheduled`. The request is audited
    ("close_requested": who, early or not, the reason) and the job carries the reason, so the
    close passes the same guards when it runs."""
    db.session.rollback()
    with _enqueue_lock():
        period = period_to_close(code)
        if period.status != PeriodStatus.OPEN:
            raise DomainError(
                gettext(
                    "Period %(code)s is not open (status: %(status)s); only an open period can be "
                    "closed.",
                    code=period.code,
                    status=period.status.label,
                )
            )
        terms = readiness.check_close(period, early_reason, scheduled=scheduled)
        existing = pending_close(period.code)
        if existing is not None:
            db.session.rollback()
            return existing, False
        # The duplicate scan runs first (jobs run in the order queued), so the verifiers' queue
        # is current when the period's register is determined.
        jobs.enqueue_once(duplicate_scan.JOB_KIND, {"region": ""}, requested_by_id)
        # Committed with the job itself, by enqueue.
        audit.record(
            "close_requested", "period", period.id, after={"code": period.code, **terms.audit()}
        )
        params = {"code": period.code, **terms.job_params()}
        return jobs.enqueue(JOB_KIND, params, requested_by_id), True


def close_job(run, progress) -> dict:
    """The JOB_KIND handler: close the period the job names, then queue its minutes."""
    code = (run.params or {}).get("code")
    if is_postgresql():
        on_progress = progress
    else:
        # SQLite has one writer: a progress row written beside the close's transaction would
        # wait for it. The job shows the start and the end only.
        on_progress = None
    progress(0, len(STEPS), str(STEPS[0][1]))
    params = run.params or {}
    result = close_period(
        code,
        on_progress=on_progress,
        early_reason=params.get(readiness.REASON_FIELD),
        scheduled=bool(params.get("scheduled")),
    )
    progress(len(STEPS), len(STEPS), result.message)
    queue_documents(result, run.requested_by_id)
    return result.as_dict()


def queue_documents(result: CloseResult, user_id: int | None = None) -> None:
    """A close produces its minutes (berita acara) and its regions' recaps: queued, so the
    scheduler prints them."""
    if not result.closed:
        return
    period_id = period_by_code(result.period_code).id
    jobs.enqueue_once(MINUTES_KIND, {"period_id": period_id}, requested_by_id=user_id)
    jobs.enqueue_once(RECAPS_KIND, {"period_id": period_id}, requested_by_id=user_id)
    db.session.commit()
