"""Register statistics for the dashboard, recaps and PDFs: aggregated in SQL, limited to a scope.

Every function takes a region-code prefix (`scope`; None = the signed-in user's, "" = national)
and counts only the determined register: ACTIVE households and ACTIVE members of them. The
queries group in the database and return a handful of rows, whatever the register's size;
they run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime
import functools
from dataclasses import dataclass

import sqlalchemy as sa

from app import codes
from app.caching import reuse_cache
from app.extensions import db, is_postgresql
from app.security.scope import current_scope, scope_clause
from models import Family, Household, Member, Program, ProgramMembership, Region
from models.enums import HouseholdStatus, MembershipStatus, MemberStatus, Sex
from models.types import RegionCode

#: Length of a region code at each level: "32", "32.73", "32.73.01", "32.73.01.1001".

#: Age groups as (label, lowest age, highest age or None); labels are the same in every language.
AGE_GROUPS = (
    ("0–4", 0, 4),
    ("5–14", 5, 14),
    ("15–24", 15, 24),
    ("25–44", 25, 44),
    ("45–59", 45, 59),
    ("60+", 60, None),
)
DECILES = tuple(range(1, 11))


@dataclass(frozen=True)
class RegionCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class ProgramCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class Totals:
    households: int
    families: int
    people: int


def _scope(scope: str | None) -> str:
    return current_scope() if scope is None else scope


# -- short-lived reuse for pages that summarise a large register ------------------------------
#: Seconds the dashboard may reuse figures inside `reused_for()`; 0 while inside none.
_REUSE_SECONDS: contextvars.ContextVar[float] = contextvars.ContextVar(
    "statistics_reuse", default=0.0
)
_REUSED = reuse_cache(maxsize=1000)


@contextlib.contextmanager
def reused_for(seconds: float):
    """Within this block the figures below are computed at most once per `seconds` for the
    same database, scope and arguments (per process). Pages that summarise — the dashboard —
    use it on a large register, where a national count reads millions of rows; reports,
    exports and the API never do and always count live."""
    token = _REUSE_SECONDS.set(seconds)
    try:
        yield
    finally:
        _REUSE_SECONDS.reset(token)


def reusable(function):
    """Computed at most once per reuse window inside `reused_for()` (first argument: the scope)."""

    @functools.wraps(function)
    def wrapper(scope: str | None = None, *args, **kwargs):
        scope = _scope(scope)
        seconds = _REUSE_SECONDS.get()
        if not seconds:
            return function(scope, *args, **kwargs)
        key = (str(db.engine.url), function.__name__, scope, args, tuple(sorted(kwargs.items())))
        found = _REUSED.get(key)
        if found is None:
            found = _REUSED[key] = (seconds, function(scope, *args, **kwargs))
        return copy.deepcopy(found[1])

    return wrapper


def estimated_rows(table: str, session=None) -> int | None:
    """A table's size as the planner last measured it (ANALYZE, autovacuum); None on SQLite or
    before the first measurement."""
    session = session or db.session
    if not is_postgresql(session.get_bind()):
        return None
    rows = session.scalar(
        sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:table)"),
        {"table": table},
    )
    return rows if rows is not None and rows >= 0 else None


def summary_reuse_seconds() -> float:
    """How long pages that summarise (the dashboard, the maps) may reuse their figures: on a
    large register (DASHBOARD_REUSE_ABOVE households and more) they are recounted at most every
    DASHBOARD_REUSE_SECONDS per scope and worker, as a national count reads millions of rows.
    Smaller registers are counted on every view."""
    from flask import current_app

    seconds = current_app.config.get("DASHBOARD_REUSE_SECONDS", 300)
    above = current_app.config.get("DASHBOARD_REUSE_ABOVE", 200_000)
    if not seconds or estimated_households() < above:
        return 0
    return seconds


def estimated_households() -> int:
    return estimated_rows("household") or 0


def active_households(scope: str):
    return sa.and_(
        Household.status == HouseholdStatus.ACTIVE,
        scope_clause(Household.village_code, scope),
    )


@reusable
def totals(scope: str | None = None) -> Totals:
    """Households, families and people (active members) of the active register in the scope."""
    scope = _scope(scope)
    households = db.session.scalar(
        sa.select(sa.func.count()).select_from(Household).where(active_households(scope))
    )
    families = db.session.scalar(
        sa.select(sa.func.count(Family.id))
        .join(Household, Household.id == Family.household_id)
        .where(active_households(scope))
    )
    people = db.session.scalar(
        sa.select(sa.func.count(Member.id))
        .join(Household, Household.id == Member.household_id)
        .where(active_households(scope), Member.status == MemberStatus.ACTIVE)
    )
    return Totals(households=households or 0, families=families or 0, people=people or 0)


@reusable
def households_by_region(scope: str | None = None) -> list[RegionCount]:
    """Active households per sub-region of the scope (per province nationally, per regency in a
    province, per district in a regency), in region-code order; regions without households
    are left out."""
    scope = _scope(scope)
    code = region_prefix(Household.village_code, codes.sub_level(scope))
    counts = (
        sa.select(code.label("code"), sa.func.count().label("households"))
        .where(active_households(scope))
        .group_by(code)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(counts.c.code, Region.name, counts.c.households)
        .outerjoin(Region, Region.code == counts.c.code)
        .order_by(counts.c.code)
    )
    return [RegionCount(code, name or code, count) for code, name, count in rows]


@reusable
def welfare_deciles(scope: str | None = None) -> dict[int | None, int]:
    """Active households per welfare decile 1–10 (every decile present, zero when empty);
    households without a decile are counted under None, present only when there are any."""
    scope = _scope(scope)
    rows = db.session.execute(
        sa.select(Household.welfare_decile, sa.func.count())
        .where(active_households(scope))
        .group_by(Household.welfare_decile)
    )
    result: dict[int | None, int] = {decile: 0 for decile in DECILES}
    for decile, count in rows:
        result[decile] = result.get(decile, 0) + count
    return result


@reusable
def program_memberships(scope: str | None = None) -> list[ProgramCount]:
    """Receiving (ACTIVE) memberships per program, for active households in the scope; a
    membership of a person counts only while that person is an active member. Every program is
    listed, in code order, with zero when it has no members in the scope."""
    scope = _scope(scope)
    rows = db.session.execute(
        sa.select(ProgramMembership.program_id, sa.func.count())
        .join(Household, Household.id == ProgramMembership.household_id)
        .outerjoin(Member, Member.id == ProgramMembership.member_id)
        .where(
            active_households(scope),
            ProgramMembership.status == MembershipStatus.ACTIVE,
            sa.or_(ProgramMembership.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
        )
        .group_by(ProgramMembership.program_id)
    )
    counts = dict(rows.all())
    programs = db.session.execute(
        sa.select(Program.id, Program.code, Program.name).order_by(Program.code)
    )
    return [
        ProgramCount(code, name, counts.get(program_id, 0)) for program_id, code, name in programs
    ]


@reusable
def members_by_sex_and_age(
    scope: str | None = None, on: datetime.date | None = None
) -> dict[Sex, dict[str, int]]:
    """Active members of active households by sex and age group (AGE_GROUPS) on a date (today).

    Ages are compared as birth dates against each group's threshold date, so the SQL is plain
    date comparison on both databases and exact to the day."""
    scope = _scope(scope)
    on = on or datetime.date.today()
    people = (
        sa.select(Member.sex.label("sex"), age_group(on).label("age_group"))
        .join(Household, Household.id == Member.household_id)
        .where(active_households(scope), Member.status == MemberStatus.ACTIVE)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(people.c.sex, people.c.age_group, sa.func.count()).group_by(
            people.c.sex, people.c.age_group
        )
    )
    result = {sex: {label: 0 for label, _lowest, _highest in AGE_GROUPS} for sex in Sex}
    for sex, group, count in rows:
        result[Sex[sex] if isinstance(sex, str) else sex][group] += count
    return result


def region_prefix(column, level: int):
    """The code of the region at `level` (1 province … 4 village; 0 the nation: "") that a
    village code lies in. A literal length keeps the expression identical in SELECT and
    GROUP BY on PostgreSQL."""
    if level == 0:
        return sa.literal("", RegionCode)
    return sa.func.substr(column, 1, sa.literal_column(str(codes.CODE_LENGTH[level])))


def age_group(on: datetime.date):
    """SQL for a member's age group (AGE_GROUPS label) on a date, as birth-date comparisons."""
    return sa.case(
        *[
            (Member.birth_date > years_before(on, highest + 1), label)
            for label, _lowest, highest in AGE_GROUPS
            if highest is not None
        ],
        else_=AGE_GROUPS[-1][0],
    )


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The date `years` before `day`; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def scope_name(scope: str | None = None) -> str | None:
    """The scope's region name ("Kota Bandung"), or None for the national scope."""
    scope = _scope(scope)
    if not scope:
        return None
    return db.session.scalar(sa.select(Region.name).where(Region.code == scope))
