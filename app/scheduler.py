"""The scheduler process (`flask datakesos scheduler`): the only place where jobs run.

APScheduler runs inside web workers once per worker; here it runs in one process of its own,
and only one such process is active: it holds a session-level PostgreSQL advisory lock on a
dedicated connection (on SQLite, an exclusive `flock` beside the database file). A second
process waits for the lock and says so; it takes over when the first one stops or dies.

Two jobs:
- `poll`, every few seconds (in memory: it belongs to this process): runs the queued JobRuns of
  every registered kind (period closes, bulk PDFs …) and picks up a changed close schedule;
- the close schedule, its cron trigger (app.periods.schedule), kept in APScheduler's
  SQLAlchemyJobStore in the application database (table `apscheduler_jobs`), so that a close
  missed while no scheduler ran still happens when one starts (within MISFIRE_GRACE). It only
  enqueues a `close_period` job, and never a second one for the same period.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import signal
import threading
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask_babel import gettext

from app import clock, jobs, periods
from app.complaints import deadlines
from app.errors import DomainError
from app.extensions import db
from app.locks import file_lock, sqlite_lock_path
from models import JobRun
from models.enums import JobStatus

log = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY = periods.CLOSE_LOCK_KEY + 2
CLOSE_JOB_ID = "datakesos-close-period"
POLL_JOB_ID = "datakesos-poll"
#: The WIB day whose complaint-deadline job this process has queued (app.complaints).
_deadlines_day: list = [None]
JOBSTORE_TABLE = "apscheduler_jobs"
#: A scheduled close missed by less than this (scheduler down) still runs when it comes back.
MISFIRE_GRACE = datetime.timedelta(hours=12)

_app = None
_scheduler: BlockingScheduler | None = None
_applied_signature: list = [None]  # the schedule the cron job was last set from


# -- one active instance --------------------------------------------------------------------
@contextlib.contextmanager
def single_instance(
    engine,
    say: Callable[[str], None],
    wait_seconds: float = 5.0,
    stop: threading.Event | None = None,
) -> Iterator[bool]:
    """Hold the scheduler lock for the duration; wait (and say so once) while another process
    holds it. Yields False when `stop` was set while waiting."""
    stop = stop or threading.Event()
    waiting = gettext("Another scheduler process is active; waiting for it to stop.")
    if engine.dialect.name == "postgresql":
        # A connection of its own (not from the app's pool, which APScheduler disposes of): the
        # lock lives as long as this session, and dies with the process.
        lock_engine = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
        connection = lock_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        key = sa.literal(SCHEDULER_LOCK_KEY, sa.BigInteger)
        try:
            said = False
            while not connection.scalar(sa.select(sa.func.pg_try_advisory_lock(key))):
                if not said:
                    say(waiting)
                    said = True
                if stop.wait(wait_seconds):
                    yield False
                    return
            _lock_connection[0] = connection
            yield True
        finally:
            _lock_connection[0] = None
            with contextlib.suppress(Exception):
                connection.close()
            lock_engine.dispose()
        return
    path = sqlite_lock_path(engine, "scheduler")
    said = False
    while True:
        with file_lock(path, blocking=False) as locked:
            if locked:
                yield True
                return
        if not said:
            say(waiting)
            said = True
        if stop.wait(wait_seconds):
            yield False
            return


_lock_connection: list = [None]


def _lock_alive() -> bool:
    """On PostgreSQL the lock is only ours while its connection lives."""
    connection = _lock_connection[0]
    if connection is None:
        return True
    try:
        connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.DBAPIError:
        return False


# -- the jobs ---------------------------------------------------------------------------------
def _application():
    """The application `run` serves: APScheduler calls the jobs below without one."""
    if _app is None:
        raise RuntimeError("The scheduler's jobs run inside scheduler.run(app).")
    return _app


def poll() -> None:
    """Run queued jobs, oldest first within each registered kind, and follow the schedule."""
    app = _application()
    with app.app_context():
        try:
            if not _lock_alive():
                log.error("scheduler: lost the database connection holding the lock; stopping")
                if _scheduler is not None:
                    _scheduler.shutdown(wait=False)
                return
            sync_schedule()
            while not jobs.STOPPING.is_set() and _run_queued():
                pass
        except Exception:  # noqa: BLE001 — the next poll tries again
            log.exception("scheduler: poll failed")
        finally:
            db.session.remove()


def _run_queued() -> int:
    """One queued job of each registered kind (kinds this process does not know are left for
    one that does); the number run."""
    ran = 0
    for kind in jobs.kinds():
        if jobs.STOPPING.is_set():
            break
        finished = jobs.run_next(kind)
        if finished is not None:
            ran += 1
            log.info("scheduler: job %s (%s) %s", finished.id, finished.kind, finished.status.name)
    return ran


def schedule_signature(schedule) -> str | None:
    if schedule is None or not schedule.enabled:
        return None
    return f"{schedule.day_of_month}|{schedule.hour}|{schedule.minute}|{schedule.timezone}"


def sync_schedule() -> None:
    """Set, change or remove the cron job when the stored schedule differs from it."""
    scheduler = _scheduler
    schedule = periods.current_schedule()
    signature = schedule_signature(schedule)
    if scheduler is None or signature == _applied_signature[0]:
        return
    job = scheduler.get_job(CLOSE_JOB_ID, jobstore="default")
    if signature is None:
        if job is not None:
            scheduler.remove_job(CLOSE_JOB_ID, jobstore="default")
        log.info("scheduler: no close schedule")
    elif job is None or job.kwargs.get("signature") != signature:
        # The job stays in the job store while the schedule is unchanged, so a close missed
        # while no scheduler ran is caught up when one starts.
        job = scheduler.add_job(
            enqueue_scheduled_close,
            periods.close_trigger(schedule),
            id=CLOSE_JOB_ID,
            jobstore="default",
            kwargs={"signature": signature},
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        )
        log.info("scheduler: period close scheduled, next at %s", job.next_run_time)
    _applied_signature[0] = signature


def enqueue_scheduled_close(signature: str | None = None) -> None:
    """The cron job: queue a close of the open period, unless the schedule changed since this
    job was set (a stale job from the job store) or a close of it is already queued."""
    app = _application()
    with app.app_context():
        try:
            current = schedule_signature(periods.current_schedule())
            if current is None or current != signature:
                log.info(
                    "scheduler: stale schedule %s (now %s); nothing queued", signature, current
                )
                return
            # The schedule is Pusdatin's standing decision: an early close needs no reason here
            # (a period that has not begun is still refused).
            run, created = periods.request_close(scheduled=True)
            if created:
                log.info(
                    "scheduler: queued close of period %s (job %s)", run.params.get("code"), run.id
                )
            else:
                log.info(
                    "scheduler: close of period %s already queued (job %s)",
                    run.params.get("code"),
                    run.id,
                )
        except DomainError as error:
            log.warning("scheduler: no close queued: %s", error.message)
        finally:
            db.session.remove()


def queue_complaint_deadlines() -> None:
    """The daily job of the 14-day rule (app.complaints.deadlines), queued by the first poll of
    each WIB day (and so at the scheduler's start: a day missed while none ran is caught up).
    Queued from the poll, not a timer of its own: one thread touches the queue at a time."""
    today = clock.today()
    if _deadlines_day[0] != today:
        jobs.enqueue_once(deadlines.JOB_KIND, {"day": today.isoformat()})
        _deadlines_day[0] = today


def _fail_orphaned_jobs() -> int:
    """Jobs left RUNNING by a scheduler that died: only the active scheduler runs jobs, so
    none of them is running any more. (A close that died was rolled back as a whole.)"""
    count = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.FAILED,
            finished_at=datetime.datetime.now(),
            error=gettext(
                "Interrupted: the scheduler process stopped while this job ran. "
                "Nothing of it was kept; queue it again."
            ),
        )
    ).rowcount
    db.session.commit()
    return count


# -- the process ------------------------------------------------------------------------------
class _Quiet(logging.Filter):
    """While a long job runs, every poll is skipped; that is expected, not a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def build_scheduler(poll_seconds: float) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE),
            "local": MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=periods.DEFAULT_TIMEZONE,
    )
    scheduler.add_job(
        poll,
        "interval",
        seconds=poll_seconds,
        id=POLL_JOB_ID,
        jobstore="local",
        next_run_time=datetime.datetime.now(datetime.UTC),
        misfire_grace_time=max(1, int(poll_seconds)),
    )
    return scheduler


def run(app, poll_seconds: float = 5.0, say: Callable[[str], None] = print) -> None:
    """Run the scheduler until SIGTERM or SIGINT (a running job is finished first)."""
    global _app, _scheduler
    _app = app
    _applied_signature[0] = None
    _deadlines_day[0] = None
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    # Not a line per poll: the jobs that do something log it themselves.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").addFilter(_Quiet())
    logging.getLogger(__name__).setLevel(logging.INFO)
    stop = threading.Event()
    jobs.STOPPING.clear()

    def on_signal(signum, _frame):
        if stop.is_set():
            raise SystemExit(1)  # a second signal: stop now
        stop.set()
        jobs.STOPPING.set()
        say(gettext("Scheduler stopping (a running job is finished first)."))
        if _scheduler is not None and _scheduler.running:
            _scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with app.app_context():
            engine = db.engine
        with single_instance(
            engine, say, wait_seconds=min(poll_seconds, 5.0), stop=stop
        ) as acquired:
            if not acquired or stop.is_set():
                return
            with app.app_context():
                failed = _fail_orphaned_jobs()
                if failed:
                    say(gettext("%(count)s interrupted jobs marked as failed.", count=failed))
                _scheduler = build_scheduler(poll_seconds)
                say(
                    gettext(
                        "Scheduler active: polling queued jobs every %(seconds)s s.",
                        seconds=poll_seconds,
                    )
                )
            _scheduler.start()  # blocks until shutdown
            if _scheduler.running:
                _scheduler.shutdown(wait=True)
    finally:
        _scheduler = None
        for sig, handler in previous.items():
            signal.signal(sig, handler)
