"""Jobs: work that is queued by a door (console button, schedule, CLI) and run by the
scheduler process, never inside a web request.

A job kind is a plain function registered with `@job("kind")`; it receives the JobRun and a
`progress(done, total=None, message=None)` callback that commits, so the console can show live
progress. `enqueue` only writes a QUEUED row; `run_next` (called by the scheduler process, or
directly by tests and the CLI) claims one queued row and runs it."""
import datetime
import logging
import traceback
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db
from models import JobRun
from models.enums import JobStatus

log = logging.getLogger(__name__)
_KINDS: dict[str, Callable] = {}


def job(kind: str):
    def register(function):
        _KINDS[kind] = function
        return function

    return register


def kinds() -> list[str]:
    return sorted(_KINDS)


def enqueue(kind: str, params: dict | None = None, requested_by_id: int | None = None) -> JobRun:
    if kind not in _KINDS:
        raise KeyError(kind)
    run = JobRun(kind=kind, params=params or {}, status=JobStatus.QUEUED,
                 requested_by_id=requested_by_id, progress_done=0)
    db.session.add(run)
    db.session.commit()
    return run


def _claim(kind: str | None = None) -> JobRun | None:
    """Mark the oldest queued job RUNNING; only one process can claim a given row."""
    query = sa.select(JobRun.id).where(JobRun.status == JobStatus.QUEUED).order_by(JobRun.id)
    if kind:
        query = query.where(JobRun.kind == kind)
    for job_id in db.session.scalars(query.limit(5)).all():
        claimed = db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == job_id, JobRun.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=datetime.datetime.now())
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(JobRun, job_id)
    return None


def progress_callback(run_id: int) -> Callable:
    """Progress is written in its own short transaction so readers see it while the job's
    main work is still uncommitted."""

    def progress(done: int, total: int | None = None, message: str | None = None) -> None:
        values = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        if message is not None:
            values["message"] = message[:255]
        with db.engine.begin() as connection:
            connection.execute(sa.update(JobRun).where(JobRun.id == run_id).values(**values))

    return progress


def run_job(run: JobRun) -> JobRun:
    """Run a claimed job to its end; a failure is recorded on the row, not raised."""
    function = _KINDS[run.kind]
    run_id = run.id
    try:
        result = function(run, progress_callback(run_id))
        db.session.commit()
        finished = {"status": JobStatus.SUCCEEDED, "result": result}
    except Exception as error:  # noqa: BLE001 — a job's failure is data for the console
        db.session.rollback()
        log.exception("job %s (%s) failed", run_id, run.kind)
        finished = {"status": JobStatus.FAILED, "error": f"{error}\n{traceback.format_exc()}"}
    db.session.execute(
        sa.update(JobRun).where(JobRun.id == run_id)
        .values(finished_at=datetime.datetime.now(), **finished)
    )
    db.session.commit()
    return db.session.get(JobRun, run_id)


def run_next(kind: str | None = None) -> JobRun | None:
    run = _claim(kind)
    return run_job(run) if run else None


def run_pending(kind: str | None = None) -> int:
    count = 0
    while run_next(kind) is not None:
        count += 1
    return count
