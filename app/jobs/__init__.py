"""Jobs: work that is queued by a door (console button, schedule, CLI) or a room (the close
queues its minutes) and run by the scheduler process, never inside a web request.

Owns the queue (JobRun rows) and the registry of job kinds: `register`, `kinds`, `enqueue`,
`pending`, `enqueue_once`, `progress_callback`, `run_job`, `run_next`, STOPPING. It imports only the
shared leaves and the models, so every room may queue a job by its kind's name. The kinds and
their handlers are listed once, by create_app (app/__init__.py), so every process (console,
scheduler, CLI) knows the same kinds whatever it imported; nothing registers a kind by being
imported. The scheduler process that runs them is a door: app/scheduler.py.

A job kind is a plain function `handler(run, progress)`: it receives the JobRun and a
`progress(done, total=None, message=None)` callback that commits, so the console can show live
progress. `enqueue` only writes a QUEUED row; `run_next` (called by the scheduler process, or
directly by tests and the CLI) claims one queued row and runs it."""

import datetime
import logging
import threading
import traceback
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db
from models import JobRun
from models.enums import JobStatus

log = logging.getLogger(__name__)
_KINDS: dict[str, Callable] = {}
#: The statuses of a job that is still to finish: queued, or being run by the scheduler.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
#: Set while the process running jobs is stopping: a long job checks it between its parts and
#: leaves the rest to a run of its own (`enqueue`), so a stop is not held up for minutes.
STOPPING = threading.Event()


def register(kind: str, handler: Callable) -> None:
    """Make `kind` a job kind run by `handler(run, progress)`."""
    _KINDS[kind] = handler


def kinds() -> list[str]:
    return sorted(_KINDS)


def enqueue(kind: str, params: dict | None = None, requested_by_id: int | None = None) -> JobRun:
    if kind not in _KINDS:
        raise KeyError(kind)
    run = JobRun(
        kind=kind,
        params=params or {},
        status=JobStatus.QUEUED,
        requested_by_id=requested_by_id,
        progress_done=0,
    )
    db.session.add(run)
    db.session.commit()
    return run


def pending(kind: str, **params) -> JobRun | None:
    """The oldest job of `kind` that is queued or running with these parameters."""
    runs = db.session.scalars(
        sa.select(JobRun)
        .where(JobRun.kind == kind, JobRun.status.in_(UNFINISHED))
        .order_by(JobRun.id)
    ).all()
    return next(
        (
            run
            for run in runs
            if all((run.params or {}).get(name) == value for name, value in params.items())
        ),
        None,
    )


def enqueue_once(kind: str, params: dict, requested_by_id: int | None = None) -> JobRun:
    """Queue a job, unless one of the same kind and parameters is queued or running: then
    that one."""
    return pending(kind, **params) or enqueue(kind, params, requested_by_id)


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
        sa.update(JobRun)
        .where(JobRun.id == run_id)
        .values(finished_at=datetime.datetime.now(), **finished)
    )
    db.session.commit()
    return db.session.get(JobRun, run_id)


def run_next(kind: str | None = None) -> JobRun | None:
    run = _claim(kind)
    return run_job(run) if run else None
