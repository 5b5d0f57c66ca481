"""The period close (penetapan), written once: every door (CLI, job, console) calls this.

`close_period(code)` determines the register of one period, exactly once, all or nothing, in a
single database transaction:

1. take the close lock (PostgreSQL: `pg_try_advisory_xact_lock`; SQLite: an exclusive `flock`
   beside the database file, then `BEGIN IMMEDIATE`): a second close at the same time is refused;
2. mark the period CLOSING (only an OPEN one; a CLOSED one is a no-op that says so);
3. count corrections (from the audit trail, `app.statistics.activity`) and new proposals per village up to
   the cut-off, and store the district activity — before proposals are applied, so that a
   household promoted by this close counts as a proposal, not as a correction;
4. apply the period's verified proposals (`app.proposals.apply_verified`);
5. write the snapshot: one row per ACTIVE household, with its families and ACTIVE members, and
   the programs its active memberships receive;
6. write the recaps of every region level (village → district → regency → province → nation),
   each level summed from the one below, with the active-regency share at province and nation;
7. mark the period CLOSED at the cut-off and open the next month's period.

Every step is set-based SQL (INSERT … SELECT, UPDATE … WHERE); none loops over households in
Python. On PostgreSQL the tables just written are ANALYZEd inside the transaction, so the next
statements are planned for the rows they will really read. The statements are listed once (`statements`), so the benchmark can run
exactly them without the close around them. A crash at any point rolls the transaction back:
the period stays OPEN and no snapshot row exists; the rerun writes the same snapshot, which
`snapshot_hash` lets anyone check.

Order matters on PostgreSQL: the advisory lock is tried first, then the period row is updated
to CLOSING, which waits for proposal transactions holding it (app.proposals locks it FOR SHARE)
and keeps new ones out until the close commits; only then is the cut-off taken. The transaction
is READ COMMITTED, so everything verified before the cut-off is seen and applied. Edits made
while the close runs belong to the next period by their audit time; the recaps are summed from
the snapshot rows themselves, so they always agree with the snapshot.
"""
from __future__ import annotations

import calendar
import contextlib
import datetime
import hashlib
import logging
import os
import sys
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from app import codes
from app.statistics import activity
from app import audit, jobs, statistics
from app.errors import DomainError, NotFound, ValidationError
from app.locks import file_lock, sqlite_lock_path
from app.extensions import db, is_postgresql
from models import (
    CloseSchedule, DistrictActivity, Household, JobRun, Member, Period, PeriodRecap,
    PeriodRecapProgram, PeriodSnapshot, PeriodSnapshotPeople, PeriodSnapshotProgram, Program,
    ProgramMembership, Proposal, Region,
)
from models.enums import (
    HouseholdStatus, JobStatus, MembershipStatus, MemberStatus, PeriodStatus, ProposalStatus,
)
from models.types import RegionCode

log = logging.getLogger(__name__)

JOB_KIND = "close_period"
#: PostgreSQL advisory lock keys (per database): the close itself, and enqueueing a close.
CLOSE_LOCK_KEY = 0x44_6B_43_6C_6F_73_65  # "DkClose"
ENQUEUE_LOCK_KEY = CLOSE_LOCK_KEY + 1
#: Region code length per recap level; level 0 is the nation ("").
CODE_LENGTH = {0: 0, **codes.CODE_LENGTH}
#: A deadlock on PostgreSQL (SQLSTATE 40P01) restarts the close this many times.
ATTEMPTS = 3
DEFAULT_TIMEZONE = "Asia/Jakarta"
WORK_MEMORY = "64MB"
#: Test hook: pause after this step (inside the transaction), e.g. to kill the process there.
PAUSE_AFTER_ENV = "DATAKESOS_CLOSE_PAUSE_AFTER"
PAUSE_SECONDS_ENV = "DATAKESOS_CLOSE_PAUSE_SECONDS"

STEPS = (
    ("lock", lazy_gettext("Locking the period")),
    ("activity", lazy_gettext("Counting corrections and new proposals")),
    ("proposals", lazy_gettext("Applying verified proposals")),
    ("snapshot", lazy_gettext("Writing the snapshot")),
    ("programs", lazy_gettext("Writing program recipients")),
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


# -- the statements of a close ----------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """One SQL statement of the close (or the call that applies proposals), in its step."""

    step: str
    name: str
    run: Callable  # (connection) -> result


@dataclass(frozen=True)
class CloseContext:
    period_id: int
    period_code: str
    window_start: datetime.datetime
    cutoff: datetime.datetime
    next_code: str
    next_start: datetime.date
    next_end: datetime.date
    end_date: datetime.date  # the closing period's last day: ages are taken then


_metadata = sa.MetaData()
#: Per-village corrections and proposals of the closing period, kept for the recaps.
close_village = sa.Table(
    "close_village", _metadata,
    sa.Column("village_code", RegionCode, primary_key=True),
    sa.Column("corrections", sa.Integer, nullable=False),
    sa.Column("new_proposals", sa.Integer, nullable=False),
    sa.Column("last_update", sa.DateTime),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _analyze(*models):
    """PostgreSQL plans the next statements with statistics from before this transaction, in
    which the table held none of the period's rows (estimate: one row; a nested loop over a
    hundred thousand is minutes). ANALYZE in the same transaction counts its own new rows."""

    def run(connection) -> None:
        if connection.dialect.name == "postgresql":
            for model in models:
                connection.exec_driver_sql(f"ANALYZE {model.__tablename__}")

    return run


def _work_memory(connection) -> None:
    """Room for the close's aggregates (per sort or hash, for this transaction only), so they
    do not spill to disk at a million households."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEMORY}'")


def mark_closing(period_id: int):
    """The first write of a close: it also locks the period row until the close commits."""
    return (sa.update(Period).where(Period.id == period_id, Period.status == PeriodStatus.OPEN)
            .values(status=PeriodStatus.CLOSING))


def statements(context: CloseContext) -> list[Statement]:
    """Every statement of the close, in order. `close_period` runs them inside its lock and
    transaction; scripts/bench.py runs them bare."""
    period_id = context.period_id
    pid = sa.literal(period_id, sa.Integer)

    def execute(statement):
        return lambda connection: connection.execute(statement)

    # 3. activity, before proposals are applied
    villages = activity.village_activity(context.window_start, context.cutoff, period_id)
    stored_villages = sa.select(close_village).subquery("villages")
    regencies = activity.regency_activity(stored_villages).subquery("regencies")
    result = [
        Statement("lock", "mark closing", execute(mark_closing(period_id))),
        Statement("lock", "work memory", _work_memory),
        Statement("activity", "create close_village",
                  lambda connection: close_village.create(connection)),
        Statement("activity", "village activity", execute(
            sa.insert(close_village).from_select(
                ["village_code", "corrections", "new_proposals", "last_update"], villages)
        )),
        Statement("activity", "district activity", execute(
            sa.insert(DistrictActivity).from_select(
                ["period_id", "regency_code", "province_code", "corrections", "new_proposals",
                 "last_update", "active"],
                sa.select(pid, regencies.c.regency_code, regencies.c.province_code,
                          regencies.c.corrections, regencies.c.new_proposals,
                          regencies.c.last_update, regencies.c.active),
            )
        )),
        # 4. proposals
        Statement("proposals", "apply verified proposals",
                  lambda connection: _apply_proposals(connection, period_id)),
    ]
    # 5. snapshot
    people = (
        sa.select(
            Member.household_id,
            sa.func.count().label("people"),
            sa.func.count(sa.distinct(Member.family_id)).label("families"),
        )
        .where(Member.status == MemberStatus.ACTIVE)
        .group_by(Member.household_id)
        .subquery("people")
    )
    result.append(Statement("snapshot", "snapshot", execute(
        sa.insert(PeriodSnapshot).from_select(
            ["period_id", "household_id", "register_id", "village_code", "welfare_decile",
             "family_count", "member_count"],
            sa.select(
                pid, Household.id, Household.register_id, Household.village_code,
                Household.welfare_decile, sa.func.coalesce(people.c.families, 0),
                sa.func.coalesce(people.c.people, 0),
            )
            .select_from(Household)
            .outerjoin(people, people.c.household_id == Household.id)
            .where(Household.status == HouseholdStatus.ACTIVE),
        )
    )))
    result.append(Statement("snapshot", "analyze snapshot", _analyze(PeriodSnapshot)))
    age_group = statistics.age_group(context.end_date)
    result.append(Statement("snapshot", "snapshot people", execute(
        sa.insert(PeriodSnapshotPeople).from_select(
            ["period_id", "village_code", "sex", "age_group", "people"],
            sa.select(pid, PeriodSnapshot.village_code, Member.sex,
                      age_group, sa.func.count())
            .join(PeriodSnapshot, sa.and_(PeriodSnapshot.period_id == period_id,
                                          PeriodSnapshot.household_id == Member.household_id))
            .where(Member.status == MemberStatus.ACTIVE)
            .group_by(PeriodSnapshot.village_code, Member.sex, age_group),
        )
    )))
    result.append(Statement("programs", "snapshot programs", execute(
        sa.insert(PeriodSnapshotProgram).from_select(
            ["period_id", "household_id", "program_id", "recipients"],
            sa.select(pid, ProgramMembership.household_id, ProgramMembership.program_id,
                      sa.func.count())
            .join(PeriodSnapshot, sa.and_(
                PeriodSnapshot.period_id == period_id,
                PeriodSnapshot.household_id == ProgramMembership.household_id))
            .outerjoin(Member, Member.id == ProgramMembership.member_id)
            .where(ProgramMembership.status == MembershipStatus.ACTIVE,
                   sa.or_(ProgramMembership.member_id.is_(None),
                          Member.status == MemberStatus.ACTIVE))
            .group_by(ProgramMembership.household_id, ProgramMembership.program_id),
        )
    )))
    result.append(Statement("programs", "analyze snapshot programs",
                            _analyze(PeriodSnapshotProgram)))
    # 6. recaps, level by level, each summed from the one below
    for level in (4, 3, 2, 1, 0):
        result.append(Statement("recaps", f"recap level {level}",
                                execute(_recap_insert(period_id, level))))
        result.append(Statement("recaps", f"recap programs level {level}",
                                execute(_recap_program_insert(period_id, level))))
        if level == 4:
            result.append(Statement("recaps", "analyze village recaps",
                                    _analyze(PeriodRecap, PeriodRecapProgram)))
    # 7. close and open the next
    result += [
        Statement("finish", "mark closed", execute(
            sa.update(Period).where(Period.id == period_id)
            .values(status=PeriodStatus.CLOSED, closed_at=context.cutoff)
        )),
        Statement("finish", "open next period", execute(
            sa.insert(Period).values(code=context.next_code, start_date=context.next_start,
                                     end_date=context.next_end, status=PeriodStatus.OPEN)
        )),
        Statement("finish", "drop close_village",
                  lambda connection: close_village.drop(connection)),
    ]
    return result


_RECAP_COLUMNS = ("households", "families", "people", "corrections", "new_proposals")


def _zeros(*names):
    # Labelled apart: a SELECT keeps only one of several identical unlabelled expressions.
    return [sa.literal_column("0").label(name) for name in names]


def _recap_insert(period_id: int, level: int):
    """Recap rows of one level, summed from the level below (villages from the snapshot).
    Villages and districts get a row where something happened; every regency, province and
    the nation get one, zero or not (the activity share needs them all)."""
    pid = sa.literal(period_id, sa.Integer)
    if level == 4:
        parts = [
            sa.select(
                PeriodSnapshot.village_code.label("code"), sa.func.count().label("households"),
                sa.func.sum(PeriodSnapshot.family_count).label("families"),
                sa.func.sum(PeriodSnapshot.member_count).label("people"),
                *_zeros("corrections", "new_proposals"),
            ).where(PeriodSnapshot.period_id == period_id).group_by(PeriodSnapshot.village_code),
            sa.select(
                close_village.c.village_code.label("code"),
                *_zeros("households", "families", "people"),
                close_village.c.corrections, close_village.c.new_proposals,
            ),
        ]
    else:
        below = PeriodRecap.__table__.alias("below")
        code = statistics.region_prefix(below.c.region_code, level).label("code")
        sums = [sa.func.sum(below.c[name]).label(name) for name in _RECAP_COLUMNS]
        part = sa.select(code, *sums).where(below.c.period_id == period_id,
                                            below.c.level == level + 1)
        # PostgreSQL refuses a constant in GROUP BY: the nation's one row needs none.
        parts = [part if level == 0 else part.group_by(code)]
        if level in (1, 2):
            parts.append(sa.select(Region.code.label("code"), *_zeros(*_RECAP_COLUMNS))
                         .where(Region.level == level))
    union = sa.union_all(*parts).subquery("parts")
    columns = [union.c.code, sa.literal(level, sa.SmallInteger).label("level")]
    columns += [sa.func.coalesce(sa.func.sum(union.c[name]), 0).label(name)
                for name in _RECAP_COLUMNS]
    names = ["region_code", "level", *_RECAP_COLUMNS]
    query = sa.select(*columns).group_by(union.c.code)
    if level in (0, 1):
        # Active regencies out of all regencies, from the district activity just stored.
        regency = DistrictActivity
        shares = sa.select(
            (regency.province_code if level == 1 else sa.literal("", RegionCode)).label("code"),
            sa.func.coalesce(sa.func.sum(sa.case((regency.active, 1), else_=0)), 0)
            .label("active"),
            sa.func.count().label("total"),
        ).where(regency.period_id == period_id)
        if level == 1:
            shares = shares.group_by(regency.province_code)
        shares = shares.subquery("shares")
        query = (
            sa.select(*columns,
                      sa.func.coalesce(sa.func.max(shares.c.active), 0).label("active"),
                      sa.func.coalesce(sa.func.max(shares.c.total), 0).label("total"))
            .select_from(union)
            .outerjoin(shares, shares.c.code == union.c.code)
            .group_by(union.c.code)
        )
        names += ["active_regencies", "total_regencies"]
    recap = query.subquery("recap")
    return sa.insert(PeriodRecap).from_select(
        ["period_id", *names], sa.select(pid, *recap.c))


def _recap_program_insert(period_id: int, level: int):
    """Program recipients per region of one level (rows only where there are recipients)."""
    pid = sa.literal(period_id, sa.Integer)
    if level == 4:
        code = PeriodSnapshot.village_code
        query = (
            sa.select(pid, code, PeriodSnapshotProgram.program_id,
                      sa.func.sum(PeriodSnapshotProgram.recipients))
            .join(PeriodSnapshot, sa.and_(
                PeriodSnapshot.period_id == PeriodSnapshotProgram.period_id,
                PeriodSnapshot.household_id == PeriodSnapshotProgram.household_id))
            .where(PeriodSnapshotProgram.period_id == period_id)
            .group_by(code, PeriodSnapshotProgram.program_id)
        )
    else:
        below = PeriodRecapProgram.__table__.alias("below")
        code = statistics.region_prefix(below.c.region_code, level)
        query = (
            sa.select(pid, code, below.c.program_id, sa.func.sum(below.c.recipients))
            .where(below.c.period_id == period_id,
                   sa.func.length(below.c.region_code) == codes.CODE_LENGTH[level + 1])
            .group_by(*((code,) if level else ()), below.c.program_id)
        )
    return sa.insert(PeriodRecapProgram).from_select(
        ["period_id", "region_code", "program_id", "recipients"], query)


def _apply_proposals(connection, period_id: int) -> dict:
    """Apply the period's verified proposals in the close's transaction."""
    try:
        from app.proposals import apply_verified
    except ModuleNotFoundError as error:
        if error.name != "app.proposals":
            raise
        pending = connection.scalar(
            sa.select(sa.func.count()).select_from(Proposal)
            .where(Proposal.period_id == period_id, Proposal.status == ProposalStatus.VERIFIED)
        )
        if pending:
            raise DomainError(gettext(
                "%(count)s verified proposals cannot be applied: the proposals module is "
                "missing. Nothing was changed.", count=pending))
        return {}
    return dict(apply_verified(connection, period_id) or {})


# -- the close --------------------------------------------------------------------------------
def close_period(code: str | None = None,
                 on_progress: Callable | None = None) -> CloseResult:
    """Close one period (the open one when no code is given), exactly once.

    `on_progress(done, total, message)` is called after each step. Raises DomainError when the
    period is unknown or not open, when no period is open, or while another close runs."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _close_once(code, on_progress)
        except sa.exc.OperationalError as error:
            if _is_serialization_failure(error) and attempt < ATTEMPTS:
                log.warning("period close: deadlock, starting again (%s)", attempt)
                continue
            if _is_sqlite_busy(error):
                raise DomainError(gettext(
                    "The database is busy; the period was not closed. Try again.")) from error
            raise
    raise AssertionError("unreachable")


def _close_once(code, on_progress) -> CloseResult:
    started = time.perf_counter()
    step_seconds: dict[str, float] = {}
    with _close_transaction() as connection:
        period = _find_period(connection, code)
        if period.status == PeriodStatus.CLOSED:
            return CloseResult(
                period_code=period.code, closed=False, closed_at=period.closed_at,
                message=gettext(
                    "Period %(code)s was already closed on %(closed_at)s; nothing was changed.",
                    code=period.code, closed_at=_when(period.closed_at)),
            )
        if period.status != PeriodStatus.OPEN:
            raise DomainError(gettext(
                "Period %(code)s is not open (status: %(status)s); only an open period can be "
                "closed.", code=period.code, status=period.status.label))
        if connection.execute(mark_closing(period.id)).rowcount != 1:
            raise DomainError(gettext(
                "Period %(code)s is no longer open; it was not closed.", code=period.code))
        # The cut-off: taken once the period row is ours, so no proposal is in flight.
        context = close_context(connection, period, datetime.datetime.now())
        planned = [statement for statement in statements(context)
                   if statement.name != "mark closing"]
        applied: dict = {}
        last = started
        for index, (step, label) in enumerate(STEPS):
            for statement in (s for s in planned if s.step == step):
                outcome = statement.run(connection)
                if statement.step == "proposals":
                    applied = outcome
            if step == "finish":
                _audit_period_change(connection, period, context)
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


def _find_period(connection, code: str | None):
    if code:
        period = connection.execute(sa.select(Period).where(Period.code == code)).first()
        if period is None:
            raise NotFound(gettext("Unknown period %(code)s.", code=code), "code")
        return period
    period = connection.execute(
        sa.select(Period).where(Period.status == PeriodStatus.OPEN)).first()
    if period is None:
        raise DomainError(gettext("No period is open, so none can be closed."))
    return period


def next_month(day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """Code, first and last day of the month after `day`'s."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}", datetime.date(year, month, 1), datetime.date(year, month, last)


def close_context(connection, period, cutoff) -> CloseContext:
    """What the statements of a close need to know about the period being closed."""
    next_code, next_start, next_end = next_month(period.start_date)
    existing = connection.execute(
        sa.select(Period.code, Period.status).where(Period.code == next_code)).first()
    if existing is not None:
        raise DomainError(gettext(
            "Period %(code)s cannot be closed: the next period %(next)s already exists "
            "(status: %(status)s).", code=period.code, next=next_code,
            status=existing.status.label))
    return CloseContext(
        period_id=period.id, period_code=period.code,
        window_start=activity.window_start(connection, period), cutoff=cutoff,
        next_code=next_code, next_start=next_start, next_end=next_end,
        end_date=period.end_date,
    )


def _audit_period_change(connection, period, context: CloseContext) -> None:
    """The period table is written with Core here, so the close records its own entries."""
    next_id = connection.scalar(sa.select(Period.id).where(Period.code == context.next_code))
    audit.record_many([
        audit.entry("update", "period", period.id,
                    before={"status": "OPEN", "closed_at": None},
                    after={"status": "CLOSED", "closed_at": context.cutoff.isoformat()}),
        audit.entry("create", "period", next_id,
                    after={"code": context.next_code, "start_date": context.next_start.isoformat(),
                           "end_date": context.next_end.isoformat(), "status": "OPEN"}),
    ], connection=connection)


def _result(connection, period, context: CloseContext, applied: dict) -> CloseResult:
    nation = connection.execute(
        sa.select(PeriodRecap).where(PeriodRecap.period_id == period.id, PeriodRecap.level == 0)
    ).first()
    recipients = connection.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PeriodRecapProgram.recipients), 0))
        .where(PeriodRecapProgram.period_id == period.id, PeriodRecapProgram.region_code == "")
    )
    return CloseResult(
        period_code=period.code, closed=True, next_period_code=context.next_code,
        closed_at=context.cutoff, households=nation.households, families=nation.families,
        people=nation.people, program_recipients=int(recipients or 0),
        corrections=nation.corrections, new_proposals=nation.new_proposals,
        active_regencies=nation.active_regencies or 0, total_regencies=nation.total_regencies or 0,
        applied=applied,
        message=gettext(
            "Period %(code)s closed: %(households)s households determined; period %(next)s is "
            "open.", code=period.code, households=_number(nation.households),
            next=context.next_code),
    )


def _number(value) -> str:
    from app.formatting import number

    return number(value)


def _when(value) -> str:
    from app.formatting import date

    return date(value) if value else "-"


# -- locking ------------------------------------------------------------------------------------
def _busy() -> DomainError:
    return DomainError(gettext(
        "Another period close is running; this one was not started. Look at the job history "
        "and try again when it has finished."))


@contextlib.contextmanager
def _close_transaction():
    """A connection inside the close's lock and transaction; commits on success, rolls back
    on any error (or when the process dies: nothing is committed before the end)."""
    engine = db.engine
    if is_postgresql(engine):
        with engine.connect() as connection, connection.begin():
            if not connection.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(
                    sa.literal(CLOSE_LOCK_KEY, sa.BigInteger)))):
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


# -- the snapshot's fingerprint -------------------------------------------------------------------
def snapshot_hash(period_id: int, connection=None) -> str:
    """A SHA-256 fingerprint of a period's snapshot (households and their program recipients),
    independent of row order and of surrogate ids, so two databases holding the same register
    give the same hash. Rows are streamed; nothing is held in memory."""
    connection = connection or db.session.connection()
    households = sa.select(
        PeriodSnapshot.register_id, PeriodSnapshot.village_code, PeriodSnapshot.welfare_decile,
        PeriodSnapshot.family_count, PeriodSnapshot.member_count,
    ).where(PeriodSnapshot.period_id == period_id)
    programs = (
        sa.select(PeriodSnapshot.register_id, Program.code, PeriodSnapshotProgram.recipients)
        .join(PeriodSnapshot, sa.and_(
            PeriodSnapshot.period_id == PeriodSnapshotProgram.period_id,
            PeriodSnapshot.household_id == PeriodSnapshotProgram.household_id))
        .join(Program, Program.id == PeriodSnapshotProgram.program_id)
        .where(PeriodSnapshotProgram.period_id == period_id)
    )
    modulus = 1 << 256
    total, counts = 0, []
    for tag, query in (("h", households), ("p", programs)):
        count = 0
        for row in connection.execution_options(yield_per=10_000).execute(query):
            line = tag + "|" + "|".join("" if value is None else str(value) for value in row)
            total = (total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % modulus
            count += 1
        counts.append(count)
    return hashlib.sha256(f"{counts[0]}|{counts[1]}|{total:064x}".encode()).hexdigest()


def period_by_code(code: str, field_name: str = "code") -> Period:
    period = db.session.scalar(sa.select(Period).where(Period.code == code))
    if period is None:
        raise NotFound(gettext("Unknown period %(code)s.", code=code), field_name)
    return period


# -- the close as a job: queued by the console or the schedule, run by the scheduler ------------
def _enqueue_lock():
    """Serialise 'is a close already queued? then queue one' between processes."""
    engine = db.engine
    if is_postgresql(engine):
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.literal(ENQUEUE_LOCK_KEY, sa.BigInteger))))
        return contextlib.nullcontext(True)
    return file_lock(sqlite_lock_path(engine, "enqueue"), blocking=True)


def pending_close(code: str) -> JobRun | None:
    """A close job of this period that is queued or running."""
    runs = db.session.scalars(
        sa.select(JobRun).where(JobRun.kind == JOB_KIND,
                                JobRun.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .order_by(JobRun.id)
    ).all()
    return next((run for run in runs if (run.params or {}).get("code") == code), None)


def request_close(code: str | None = None,
                  requested_by_id: int | None = None) -> tuple[JobRun, bool]:
    """Queue a close of the open period (or of `code`) for the scheduler process; never runs
    it. Returns (job, created): when a close of that period is already queued or running, that
    job and False."""
    db.session.rollback()
    with _enqueue_lock():
        if code:
            period = period_by_code(code)
        else:
            period = db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
            if period is None:
                raise DomainError(gettext("No period is open, so none can be closed."))
        if period.status != PeriodStatus.OPEN:
            raise DomainError(gettext(
                "Period %(code)s is not open (status: %(status)s); only an open period can be "
                "closed.", code=period.code, status=period.status.label))
        existing = pending_close(period.code)
        if existing is not None:
            db.session.rollback()
            return existing, False
        return jobs.enqueue(JOB_KIND, {"code": period.code}, requested_by_id), True


@jobs.job(JOB_KIND)
def _close_job(run, progress) -> dict:
    code = (run.params or {}).get("code")
    if is_postgresql():
        on_progress = progress
    else:
        # SQLite has one writer: a progress row written beside the close's transaction would
        # wait for it. The job shows the start and the end only.
        on_progress = None
    progress(0, len(STEPS), str(STEPS[0][1]))
    result = close_period(code, on_progress=on_progress)
    progress(len(STEPS), len(STEPS), result.message)
    queue_minutes(result, run.requested_by_id)
    return result.as_dict()


def queue_minutes(result: CloseResult, user_id: int | None = None) -> None:
    """A close produces its minutes (berita acara): queued, so the scheduler prints them."""
    if not result.closed:
        return
    from reports import bulk

    period_id = db.session.scalar(sa.select(Period.id).where(Period.code == result.period_code))
    bulk.request_minutes(period_id, user_id)
    db.session.commit()


# -- the schedule -------------------------------------------------------------------------------
def current_schedule() -> CloseSchedule | None:
    """The close schedule (one row; None until Pusdatin sets one)."""
    return db.session.scalar(sa.select(CloseSchedule).order_by(CloseSchedule.id).limit(1))


def _whole_number(value, low: int, high: int, field_name: str, message) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(str(message), field_name) from None
    if not low <= number <= high:
        raise ValidationError(str(message), field_name)
    return number


def valid_timezone(name) -> str:
    name = (name or "").strip() or DEFAULT_TIMEZONE
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("Unknown time zone %(zone)s; use a name such as Asia/Jakarta.", zone=name),
            "timezone")
    return name


def save_schedule(day_of_month, hour, minute=0, timezone=DEFAULT_TIMEZONE, enabled=True,
                  user_id: int | None = None) -> CloseSchedule:
    """Validate and store the schedule (all fields or none). The scheduler process picks the
    change up at its next poll."""
    day = _whole_number(day_of_month, 1, 28, "day_of_month", lazy_gettext(
        "The day of the month must be a whole number from 1 to 28 (every month has it)."))
    hour = _whole_number(hour, 0, 23, "hour",
                         lazy_gettext("The hour must be a whole number from 0 to 23."))
    minute = _whole_number(minute if minute not in (None, "") else 0, 0, 59, "minute",
                           lazy_gettext("The minute must be a whole number from 0 to 59."))
    zone = valid_timezone(timezone)
    schedule = current_schedule() or CloseSchedule()
    schedule.day_of_month, schedule.hour, schedule.minute = day, hour, minute
    schedule.timezone, schedule.enabled = zone, bool(enabled)
    schedule.updated_by_id = user_id
    schedule.updated_at = datetime.datetime.now()
    db.session.add(schedule)
    db.session.commit()
    return schedule


def next_scheduled_close(schedule: CloseSchedule | None,
                         now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the schedule fires next, in its own time zone (None when off or unset)."""
    if schedule is None or not schedule.enabled:
        return None
    zone = zoneinfo.ZoneInfo(schedule.timezone)
    now = now.astimezone(zone) if now else datetime.datetime.now(zone)
    candidate = now.replace(day=schedule.day_of_month, hour=schedule.hour,
                            minute=schedule.minute, second=0, microsecond=0)
    if candidate <= now:
        year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        candidate = candidate.replace(year=year, month=month)
    return candidate
