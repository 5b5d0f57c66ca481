"""The period close (penetapan), written once: every door (CLI, job, console) calls
`close_period`.

`close_period(code)` determines the register of one period, exactly once, all or nothing, in a
single database transaction:

1. take the close lock (PostgreSQL: `pg_try_advisory_xact_lock`; SQLite: an exclusive `flock`
   beside the database file, then `BEGIN IMMEDIATE`): a second close at the same time is refused;
2. mark the period CLOSING (only an OPEN one; a CLOSED one is a no-op that says so), once
   app.periods.readiness allows it: never before the period's first day, before its last day
   only with a reason (or on the schedule);
3. count corrections (from the audit trail, `app.statistics.activity`) and new proposals per
   village up to the cut-off, and store the district activity — before proposals are applied,
   so that a household promoted by this close counts as a proposal, not as a correction;
4. apply the period's verified proposals (`app.proposals.applying.apply_verified`);
5. write the snapshot: one row per ACTIVE household, with its families and ACTIVE members, and
   the programs its active memberships receive;
6. write the recaps of every region level (village → district → regency → province → nation),
   each level summed from the one below, with the active-regency share at province and nation;
7. mark the period CLOSED at the cut-off and open the next month's period.

The statements of steps 2–7 are listed once, in app.periods.close_sql. On PostgreSQL the
tables just written are ANALYZEd inside the transaction, so the next statements are planned for
the rows they will really read. A crash at any point rolls the transaction back: the period stays
OPEN and no snapshot row exists; the rerun writes the same snapshot, which
`app.periods.snapshot.snapshot_hash` lets anyone check.

Order matters on PostgreSQL: the advisory lock is tried first, then the period row is updated
to CLOSING, which waits for proposal transactions holding it (app.proposals locks it FOR SHARE)
and keeps new ones out until the close commits; only then is the cut-off taken. The transaction
is READ COMMITTED, so everything verified before the cut-off is seen and applied. Edits made
while the close runs belong to the next period by their audit time; the recaps are summed from
the snapshot rows themselves, so they always agree with the snapshot.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from app import audit, formatting
from app.errors import DomainError
from app.extensions import db, is_postgresql
from app.locks import file_lock, sqlite_lock_path
from app.periods import readiness
from app.periods.close_sql import CloseContext, close_context, mark_closing, statements
from app.register.reference import open_period, period_by_code
from models import Period, PeriodRecap, PeriodRecapProgram
from models.enums import PeriodStatus

log = logging.getLogger(__name__)

#: PostgreSQL advisory lock key (per database) of the close itself; the queue and the scheduler
#: process take the next ones.
CLOSE_LOCK_KEY = 0x44_6B_43_6C_6F_73_65  # "DkClose"
#: A deadlock on PostgreSQL (SQLSTATE 40P01) restarts the close this many times.
ATTEMPTS = 3
#: Test hook: pause after this step (inside the transaction), e.g. to kill the process there.
PAUSE_AFTER_ENV = "DATAKESOS_CLOSE_PAUSE_AFTER"
PAUSE_SECONDS_ENV = "DATAKESOS_CLOSE_PAUSE_SECONDS"

STEPS = (
    ("lock", lazy_gettext("Locking the period")),
    ("activity", lazy_gettext("Counting corrections and new proposals")),
    ("proposals", lazy_gettext("Applying verified proposals")),
    ("snapshot", lazy_gettext("Writing the snapshot")),
    ("ranking", lazy_gettext("Ranking households into deciles")),
    ("programs", lazy_gettext("Writing program recipients")),
    ("eligibility", lazy_gettext("Checking program eligibility")),
    ("recaps", lazy_gettext("Computing recaps")),
    ("finish", lazy_gettext("Closing the period and opening the next")),
)


@dataclass
class CloseResult:
    period_code: str
    closed: bool  # False: nothing was done (the period was already closed)
    message: str
    next_period_code: str | None = None
    closed_at: datetime.datetime | None = None
    households: int = 0
    families: int = 0
    people: int = 0
    program_recipients: int = 0
    corrections: int = 0
    new_proposals: int = 0
    active_regencies: int = 0
    total_regencies: int = 0
    applied: dict = field(default_factory=dict)
    seconds: float = 0.0
    step_seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        values = asdict(self)
        values["closed_at"] = self.closed_at.isoformat() if self.closed_at else None
        return values


# -- the close --------------------------------------------------------------------------------
def close_period(
    code: str | None = None,
    on_progress: Callable | None = None,
    early_reason: str | None = None,
    scheduled: bool = False,
) -> CloseResult:
    """Close one period (the open one when no code is given), exactly once.

    `on_progress(done, total, message)` is called after each step. Raises DomainError when the
    period is unknown or not open, when no period is open, or while another close runs, and
    when app.periods.readiness refuses it: a period that has not begun, or one whose last day
    is still to come without `early_reason` (unless `scheduled`)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _close_once(code, on_progress, early_reason, scheduled)
        except sa.exc.OperationalError as error:
            if _is_serialization_failure(error) and attempt < ATTEMPTS:
                log.warning("period close: deadlock, starting again (%s)", attempt)
                continue
            if _is_sqlite_busy(error):
                raise DomainError(
                    gettext("The database is busy; the period was not closed. Try again.")
                ) from error
            raise
    raise AssertionError("unreachable")


def _close_once(code, on_progress, early_reason, scheduled) -> CloseResult:
    started = time.perf_counter()
    step_seconds: dict[str, float] = {}
    with _close_transaction() as connection:
        period = period_to_close(code, connection)
        if period.status == PeriodStatus.CLOSED:
            return CloseResult(
                period_code=period.code,
                closed=False,
                closed_at=period.closed_at,
                message=gettext(
                    "Period %(code)s was already closed on %(closed_at)s; nothing was changed.",
                    code=period.code,
                    closed_at=_when(period.closed_at),
                ),
            )
        if period.status != PeriodStatus.OPEN:
            raise DomainError(
                gettext(
                    "Period %(code)s is not open (status: %(status)s); only an open period can be "
                    "closed.",
                    code=period.code,
                    status=period.status.label,
                )
            )
        # Every door's close passes here: the CLI's, the job's (console and schedule).
        terms = readiness.check_close(period, early_reason, scheduled=scheduled)
        if connection.execute(mark_closing(period.id)).rowcount != 1:
            raise DomainError(
                gettext("Period %(code)s is no longer open; it was not closed.", code=period.code)
            )
        # The cut-off: taken once the period row is ours, so no proposal is in flight.
        context = close_context(connection, period, datetime.datetime.now())
        planned = [
            statement for statement in statements(context) if statement.name != "mark closing"
        ]
        # A statement in a step that STEPS does not list would silently never run.
        assert {s.step for s in planned} <= {step for step, _label in STEPS}
        applied: dict = {}
        last = started
        for index, (step, label) in enumerate(STEPS):
            for statement in (s for s in planned if s.step == step):
                outcome = statement.run(connection)
                if statement.step == "proposals":
                    applied = outcome
            if step == "finish":
                _audit_period_change(connection, period, context, terms)
            now = time.perf_counter()
            step_seconds[step] = round(now - last, 4)
            last = now
            _report(on_progress, index + 1, str(label))
            _maybe_pause(step)
        result = _result(connection, period, context, applied)
    result.seconds = round(time.perf_counter() - started, 3)
    result.step_seconds = step_seconds
    log.info("period %s closed in %.1f s", result.period_code, result.seconds)
    return result


def _report(on_progress, done: int, message: str) -> None:
    if on_progress is not None:
        on_progress(done, len(STEPS), message)


def _maybe_pause(step: str) -> None:
    """Test hook (crash tests): stop inside the transaction after `step` and say so."""
    if os.environ.get(PAUSE_AFTER_ENV) != step:
        return
    print(f"close paused after {step}", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "60")))


def period_to_close(code: str | None = None, connection=None):
    """The period a close is asked for: period `code`, or the open one (on `connection`, the
    close's own, when given). Refused when it is unknown or when no period is open."""
    if code:
        return period_by_code(code, connection=connection)
    period = open_period(connection=connection)
    if period is None:
        raise DomainError(gettext("No period is open, so none can be closed."))
    return period


def _audit_period_change(
    connection, period, context: CloseContext, terms: readiness.CloseTerms
) -> None:
    """The period table is written with Core here, so the close records its own entries; the
    closed period's entry also says whether it was closed early, and why."""
    next_id = connection.scalar(sa.select(Period.id).where(Period.code == context.next_code))
    audit.record_many(
        [
            audit.entry(
                "update",
                "period",
                period.id,
                before={"status": "OPEN", "closed_at": None},
                after={
                    "status": "CLOSED",
                    "closed_at": context.cutoff.isoformat(),
                    **terms.audit(),
                },
            ),
            audit.entry(
                "create",
                "period",
                next_id,
                after={
                    "code": context.next_code,
                    "start_date": context.next_start.isoformat(),
                    "end_date": context.next_end.isoformat(),
                    "status": "OPEN",
                },
            ),
        ],
        connection=connection,
    )


def _result(connection, period, context: CloseContext, applied: dict) -> CloseResult:
    nation = connection.execute(
        sa.select(PeriodRecap).where(PeriodRecap.period_id == period.id, PeriodRecap.level == 0)
    ).first()
    recipients = connection.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PeriodRecapProgram.recipients), 0)).where(
            PeriodRecapProgram.period_id == period.id, PeriodRecapProgram.region_code == ""
        )
    )
    return CloseResult(
        period_code=period.code,
        closed=True,
        next_period_code=context.next_code,
        closed_at=context.cutoff,
        households=nation.households,
        families=nation.families,
        people=nation.people,
        program_recipients=int(recipients or 0),
        corrections=nation.corrections,
        new_proposals=nation.new_proposals,
        active_regencies=nation.active_regencies or 0,
        total_regencies=nation.total_regencies or 0,
        applied=applied,
        message=gettext(
            "Period %(code)s closed: %(households)s households determined; period %(next)s is "
            "open.",
            code=period.code,
            households=_number(nation.households),
            next=context.next_code,
        ),
    )


def _number(value) -> str:
    return formatting.number(value)


def _when(value) -> str:
    return formatting.date(value) if value else "-"


# -- locking ------------------------------------------------------------------------------------
def _busy() -> DomainError:
    return DomainError(
        gettext(
            "Another period close is running; this one was not started. Look at the job history "
            "and try again when it has finished."
        )
    )


@contextlib.contextmanager
def _close_transaction():
    """A connection inside the close's lock and transaction; commits on success, rolls back
    on any error (or when the process dies: nothing is committed before the end)."""
    engine = db.engine
    if is_postgresql(engine):
        with engine.connect() as connection, connection.begin():
            if not connection.scalar(
                sa.select(
                    sa.func.pg_try_advisory_xact_lock(sa.literal(CLOSE_LOCK_KEY, sa.BigInteger))
                )
            ):
                raise _busy()
            yield connection
        return
    with file_lock(sqlite_lock_path(engine, "close"), blocking=False) as locked:
        if not locked:
            raise _busy()
        # pysqlite begins transactions lazily and only before writes: take the write lock
        # ourselves, for every statement of the close, reads included.
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")


def _is_serialization_failure(error) -> bool:
    return getattr(getattr(error, "orig", None), "pgcode", None) in ("40001", "40P01")


def _is_sqlite_busy(error) -> bool:
    return "database is locked" in str(getattr(error, "orig", error))
