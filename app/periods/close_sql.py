"""The statements of a period close, listed once: `statements(context)` gives every SQL
statement of the close in order, each in its step, so the close (app.periods.closing) runs them
inside its lock and transaction and scripts/bench.py runs exactly them, bare.

Every statement is set-based (INSERT … SELECT, UPDATE … WHERE); none loops over households in
Python. `close_context` reads what they need to know about the period being closed.

Longer than most modules on purpose: it is one ordered list of SQL, read top to bottom as the
close runs it; split by step, the order would live in one file and the statements in others.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app import codes, statistics
from app.errors import DomainError
from app.proposals.applying import apply_verified
from app.ranking import close_steps, eligibility
from app.statistics import activity
from models import (
    DistrictActivity,
    Household,
    Member,
    Period,
    PeriodRecap,
    PeriodRecapProgram,
    PeriodSnapshot,
    PeriodSnapshotPeople,
    PeriodSnapshotProgram,
    ProgramMembership,
    Region,
)
from models.enums import HouseholdStatus, MembershipStatus, MemberStatus, PeriodStatus
from models.types import RegionCode

#: Region code length per recap level; level 0 is the nation ("").
CODE_LENGTH = {0: 0, **codes.CODE_LENGTH}
WORK_MEMORY = "64MB"


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
    ranking: close_steps.Ranking | None = None  # the PMT model it ranks with
    rules: tuple = ()  # (program id, code, eligibility rule) of the programs with a rule


_metadata = sa.MetaData()
#: Per-village corrections and proposals of the closing period, kept for the recaps.
close_village = sa.Table(
    "close_village",
    _metadata,
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
    return (
        sa.update(Period)
        .where(Period.id == period_id, Period.status == PeriodStatus.OPEN)
        .values(status=PeriodStatus.CLOSING)
    )


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
        Statement(
            "activity", "create close_village", lambda connection: close_village.create(connection)
        ),
        Statement(
            "activity",
            "village activity",
            execute(
                sa.insert(close_village).from_select(
                    ["village_code", "corrections", "new_proposals", "last_update"], villages
                )
            ),
        ),
        Statement(
            "activity",
            "district activity",
            execute(
                sa.insert(DistrictActivity).from_select(
                    [
                        "period_id",
                        "regency_code",
                        "province_code",
                        "corrections",
                        "new_proposals",
                        "last_update",
                        "active",
                    ],
                    sa.select(
                        pid,
                        regencies.c.regency_code,
                        regencies.c.province_code,
                        regencies.c.corrections,
                        regencies.c.new_proposals,
                        regencies.c.last_update,
                        regencies.c.active,
                    ),
                )
            ),
        ),
        # 4. proposals
        Statement(
            "proposals",
            "apply verified proposals",
            lambda connection: apply_verified(connection, period_id),
        ),
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
    join_ranking, ranking_columns = close_steps.snapshot_columns(
        context.ranking, period_id, context.end_date
    )
    snapshot_columns = {
        "period_id": pid,
        "household_id": Household.id,
        "register_id": Household.register_id,
        "village_code": Household.village_code,
        "family_count": sa.func.coalesce(people.c.families, 0),
        "member_count": sa.func.coalesce(people.c.people, 0),
        **ranking_columns,
    }
    result.append(
        Statement(
            "snapshot",
            "snapshot",
            execute(
                sa.insert(PeriodSnapshot).from_select(
                    list(snapshot_columns),
                    sa.select(*snapshot_columns.values())
                    .select_from(
                        join_ranking(
                            sa.outerjoin(Household, people, people.c.household_id == Household.id)
                        )
                    )
                    .where(Household.status == HouseholdStatus.ACTIVE),
                )
            ),
        )
    )
    result.append(Statement("snapshot", "analyze snapshot", _analyze(PeriodSnapshot)))
    for name, run in close_steps.statements(context.ranking, period_id):
        result.append(Statement("ranking", name, run))
    age_group = statistics.age_group(context.end_date)
    result.append(
        Statement(
            "snapshot",
            "snapshot people",
            execute(
                sa.insert(PeriodSnapshotPeople).from_select(
                    ["period_id", "village_code", "sex", "age_group", "people"],
                    sa.select(
                        pid, PeriodSnapshot.village_code, Member.sex, age_group, sa.func.count()
                    )
                    .join(
                        PeriodSnapshot,
                        sa.and_(
                            PeriodSnapshot.period_id == period_id,
                            PeriodSnapshot.household_id == Member.household_id,
                        ),
                    )
                    .where(Member.status == MemberStatus.ACTIVE)
                    .group_by(PeriodSnapshot.village_code, Member.sex, age_group),
                )
            ),
        )
    )
    result.append(
        Statement(
            "programs",
            "snapshot programs",
            execute(
                sa.insert(PeriodSnapshotProgram).from_select(
                    ["period_id", "household_id", "program_id", "recipients"],
                    sa.select(
                        pid,
                        ProgramMembership.household_id,
                        ProgramMembership.program_id,
                        sa.func.count(),
                    )
                    .join(
                        PeriodSnapshot,
                        sa.and_(
                            PeriodSnapshot.period_id == period_id,
                            PeriodSnapshot.household_id == ProgramMembership.household_id,
                        ),
                    )
                    .outerjoin(Member, Member.id == ProgramMembership.member_id)
                    .where(
                        ProgramMembership.status == MembershipStatus.ACTIVE,
                        sa.or_(
                            ProgramMembership.member_id.is_(None),
                            Member.status == MemberStatus.ACTIVE,
                        ),
                    )
                    .group_by(ProgramMembership.household_id, ProgramMembership.program_id),
                )
            ),
        )
    )
    result.append(
        Statement("programs", "analyze snapshot programs", _analyze(PeriodSnapshotProgram))
    )
    for name, run in eligibility.close_statements(period_id, context.end_date, context.rules):
        result.append(Statement("eligibility", name, run))
    # 6. recaps, level by level, each summed from the one below
    for level in (4, 3, 2, 1, 0):
        result.append(
            Statement("recaps", f"recap level {level}", execute(_recap_insert(period_id, level)))
        )
        result.append(
            Statement(
                "recaps",
                f"recap programs level {level}",
                execute(_recap_program_insert(period_id, level)),
            )
        )
        if level == 4:
            result.append(
                Statement(
                    "recaps", "analyze village recaps", _analyze(PeriodRecap, PeriodRecapProgram)
                )
            )
    # 7. close and open the next
    result += [
        Statement(
            "finish",
            "mark closed",
            execute(
                sa.update(Period)
                .where(Period.id == period_id)
                .values(status=PeriodStatus.CLOSED, closed_at=context.cutoff)
            ),
        ),
        Statement(
            "finish",
            "open next period",
            execute(
                sa.insert(Period).values(
                    code=context.next_code,
                    start_date=context.next_start,
                    end_date=context.next_end,
                    status=PeriodStatus.OPEN,
                )
            ),
        ),
        Statement(
            "finish", "drop close_village", lambda connection: close_village.drop(connection)
        ),
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
                PeriodSnapshot.village_code.label("code"),
                sa.func.count().label("households"),
                sa.func.sum(PeriodSnapshot.family_count).label("families"),
                sa.func.sum(PeriodSnapshot.member_count).label("people"),
                *_zeros("corrections", "new_proposals"),
            )
            .where(PeriodSnapshot.period_id == period_id)
            .group_by(PeriodSnapshot.village_code),
            sa.select(
                close_village.c.village_code.label("code"),
                *_zeros("households", "families", "people"),
                close_village.c.corrections,
                close_village.c.new_proposals,
            ),
        ]
    else:
        below = PeriodRecap.__table__.alias("below")
        code = statistics.region_prefix(below.c.region_code, level).label("code")
        sums = [sa.func.sum(below.c[name]).label(name) for name in _RECAP_COLUMNS]
        part = sa.select(code, *sums).where(
            below.c.period_id == period_id, below.c.level == level + 1
        )
        # PostgreSQL refuses a constant in GROUP BY: the nation's one row needs none.
        parts = [part if level == 0 else part.group_by(code)]
        if level in (1, 2):
            parts.append(
                sa.select(Region.code.label("code"), *_zeros(*_RECAP_COLUMNS)).where(
                    Region.level == level
                )
            )
    union = sa.union_all(*parts).subquery("parts")
    columns = [union.c.code, sa.literal(level, sa.SmallInteger).label("level")]
    columns += [
        sa.func.coalesce(sa.func.sum(union.c[name]), 0).label(name) for name in _RECAP_COLUMNS
    ]
    names = ["region_code", "level", *_RECAP_COLUMNS]
    query = sa.select(*columns).group_by(union.c.code)
    if level in (0, 1):
        # Active regencies out of all regencies, from the district activity just stored.
        regency = DistrictActivity
        shares = sa.select(
            (regency.province_code if level == 1 else sa.literal("", RegionCode)).label("code"),
            sa.func.coalesce(sa.func.sum(sa.case((regency.active, 1), else_=0)), 0).label("active"),
            sa.func.count().label("total"),
        ).where(regency.period_id == period_id)
        if level == 1:
            shares = shares.group_by(regency.province_code)
        shares = shares.subquery("shares")
        query = (
            sa.select(
                *columns,
                sa.func.coalesce(sa.func.max(shares.c.active), 0).label("active"),
                sa.func.coalesce(sa.func.max(shares.c.total), 0).label("total"),
            )
            .select_from(union)
            .outerjoin(shares, shares.c.code == union.c.code)
            .group_by(union.c.code)
        )
        names += ["active_regencies", "total_regencies"]
    recap = query.subquery("recap")
    return sa.insert(PeriodRecap).from_select(["period_id", *names], sa.select(pid, *recap.c))


def _recap_program_insert(period_id: int, level: int):
    """Program recipients per region of one level (rows only where there are recipients)."""
    pid = sa.literal(period_id, sa.Integer)
    if level == 4:
        code = PeriodSnapshot.village_code
        query = (
            sa.select(
                pid,
                code,
                PeriodSnapshotProgram.program_id,
                sa.func.sum(PeriodSnapshotProgram.recipients),
            )
            .join(
                PeriodSnapshot,
                sa.and_(
                    PeriodSnapshot.period_id == PeriodSnapshotProgram.period_id,
                    PeriodSnapshot.household_id == PeriodSnapshotProgram.household_id,
                ),
            )
            .where(PeriodSnapshotProgram.period_id == period_id)
            .group_by(code, PeriodSnapshotProgram.program_id)
        )
    else:
        below = PeriodRecapProgram.__table__.alias("below")
        code = statistics.region_prefix(below.c.region_code, level)
        query = (
            sa.select(pid, code, below.c.program_id, sa.func.sum(below.c.recipients))
            .where(
                below.c.period_id == period_id,
                sa.func.length(below.c.region_code) == codes.CODE_LENGTH[level + 1],
            )
            .group_by(*((code,) if level else ()), below.c.program_id)
        )
    return sa.insert(PeriodRecapProgram).from_select(
        ["period_id", "region_code", "program_id", "recipients"], query
    )


def next_month(day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """Code, first and last day of the month after `day`'s."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return (
        f"{year:04d}-{month:02d}",
        datetime.date(year, month, 1),
        datetime.date(year, month, last),
    )


def close_context(connection, period, cutoff) -> CloseContext:
    """What the statements of a close need to know about the period being closed."""
    next_code, next_start, next_end = next_month(period.start_date)
    existing = connection.execute(
        sa.select(Period.code, Period.status).where(Period.code == next_code)
    ).first()
    if existing is not None:
        raise DomainError(
            gettext(
                "Period %(code)s cannot be closed: the next period %(next)s already exists "
                "(status: %(status)s).",
                code=period.code,
                next=next_code,
                status=existing.status.label,
            )
        )
    return CloseContext(
        period_id=period.id,
        period_code=period.code,
        window_start=activity.window_start(connection, period),
        cutoff=cutoff,
        next_code=next_code,
        next_start=next_start,
        next_end=next_end,
        end_date=period.end_date,
        ranking=close_steps.ranking_for(connection),
        rules=eligibility.rules_for(connection),
    )
