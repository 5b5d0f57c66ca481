"""Counts for dashboards of other systems: per sub-region of a region, for one period.

A closed period is read from its snapshot (the determined register the period close wrote);
the open period is counted live, by the same definitions: ACTIVE households, their ACTIVE
members (people) and the families those members belong to, receiving (ACTIVE) program
memberships whose person, if any, is still an ACTIVE member.

The sex and age groups of a closed period are those the close wrote (period_snapshot_people,
aged at the period's end); the open period's are counted live, aged today.

Every query groups in the database by the region-code prefix of the level asked, so the work
does not depend on how many villages a region has; a client asks only inside its scope.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app import codes, statistics
from app.codes import PERIOD_CODE, REGION_CODE
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.register import reference
from app.security.scope import check_in_scope, current_scope, scope_clause
from models import Household, Member, Period, Program, ProgramMembership, Region
from models.enums import MembershipStatus, MemberStatus, PeriodStatus, Sex
from models.snapshots import PeriodRecap, PeriodRecapProgram, PeriodSnapshot, PeriodSnapshotPeople

LEVELS = {"province": 1, "regency": 2, "district": 3, "village": 4}
LEVEL_NAMES = {number: name for name, number in LEVELS.items()}
NO_DECILE = "none"


def aggregate(
    region: str | None = None, level: str | None = None, period: str | None = None
) -> dict:
    """Counts per sub-region of `region` (default: the client's scope) at `level` (default:
    one below), for `period` (a code such as 2026-11; default: the open period)."""
    region = scoped_region(region)
    level_number = child_level(level, region)
    the_period = _period(period)
    closed = the_period.status == PeriodStatus.CLOSED
    on = the_period.end_date if closed else datetime.date.today()
    counter = (
        _SnapshotCounts(the_period.id, region, level_number)
        if closed
        else _LiveCounts(region, level_number)
    )
    program_codes = dict(
        db.session.execute(sa.select(Program.id, Program.code).order_by(Program.code)).all()
    )
    rows = _rows(counter, on, program_codes)
    return {
        "region": region,
        "region_name": statistics.scope_name(region),
        "level": LEVEL_NAMES[level_number],
        "period": the_period.code,
        "period_status": the_period.status.name,
        "source": "snapshot" if closed else "live",
        "sex_age_basis": "snapshot" if closed else "current members",
        "age_on": on.isoformat(),
        "rows": rows,
        "total": _total(rows, program_codes.values()),
    }


# --- parameters ----------------------------------------------------------------------------------


def scoped_region(region: str | None) -> str:
    """`region` checked: a known code inside the client's scope (default: the scope)."""
    scope = current_scope()
    region = scope if region is None else region.strip()
    if region and not REGION_CODE.fullmatch(region):
        raise ValidationError(gettext("Unknown region code %(code)s.", code=region[:20]), "region")
    if region and db.session.get(Region, region) is None:
        raise NotFound(gettext("Unknown region code %(code)s.", code=region), "region")
    if region != scope:
        check_in_scope(region, "region")
    return region


def child_level(level: str | None, region: str) -> int:
    """`level` is one of LEVELS' names (AggregateQuerySchema checked it)."""
    if not level:
        return codes.sub_level(region)
    region_level = codes.level_of(region)
    number = LEVELS.get(level)
    if number is None or number < region_level or (number == region_level and number < 4):
        raise ValidationError(
            gettext(
                "Level must be below the region's level: one of %(levels)s.",
                levels=", ".join(
                    name for name, value in LEVELS.items() if value > region_level or value == 4
                ),
            ),
            "level",
        )
    return number


def _period(code: str | None) -> Period:
    if code is None or code == "":
        period = reference.current_period()
        if period is None:
            raise NotFound(gettext("There is no open period."), "period")
        return period
    if not PERIOD_CODE.fullmatch(code):
        raise ValidationError(gettext("A period is written YYYY-MM, e.g. 2026-11."), "period")
    return reference.period_by_code(code, "period")


# --- the counts ----------------------------------------------------------------------------------


class _LiveCounts:
    """The open period: the register as it is now."""

    def __init__(self, region: str, level: int):
        # Private in app.statistics, but the same definition as the console's counts.
        self.households_where = statistics.active_households(region)
        self.code = statistics.region_prefix(Household.village_code, level)

    def households(self):
        """(code, decile, households)"""
        return db.session.execute(
            sa.select(self.code, Household.welfare_decile, sa.func.count())
            .where(self.households_where)
            .group_by(self.code, Household.welfare_decile)
        )

    def people(self):
        """(code, families, people): families that have an active member, as the snapshot."""
        return db.session.execute(
            sa.select(self.code, sa.func.count(sa.distinct(Member.family_id)), sa.func.count())
            .join(Household, Household.id == Member.household_id)
            .where(self.households_where, Member.status == MemberStatus.ACTIVE)
            .group_by(self.code)
        )

    def programs(self):
        """(code, program id, recipients)"""
        return db.session.execute(
            sa.select(self.code, ProgramMembership.program_id, sa.func.count())
            .join(Household, Household.id == ProgramMembership.household_id)
            .outerjoin(Member, Member.id == ProgramMembership.member_id)
            .where(
                self.households_where,
                ProgramMembership.status == MembershipStatus.ACTIVE,
                sa.or_(ProgramMembership.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
            )
            .group_by(self.code, ProgramMembership.program_id)
        )

    def sex_age(self, on: datetime.date):
        """(code, sex, age group, people)"""
        people = (
            sa.select(
                self.code.label("code"),
                Member.sex.label("sex"),
                statistics.age_group(on).label("age_group"),
            )
            .join(Household, Household.id == Member.household_id)
            .where(self.households_where, Member.status == MemberStatus.ACTIVE)
            .subquery()
        )
        return db.session.execute(
            sa.select(people.c.code, people.c.sex, people.c.age_group, sa.func.count()).group_by(
                people.c.code, people.c.sex, people.c.age_group
            )
        )


class _SnapshotCounts:
    """A closed period: its determined register as the close wrote it."""

    def __init__(self, period_id: int, region: str, level: int):
        self.period_id, self.region, self.level = period_id, region, level
        self.where = sa.and_(
            PeriodSnapshot.period_id == period_id, scope_clause(PeriodSnapshot.village_code, region)
        )
        self.code = statistics.region_prefix(PeriodSnapshot.village_code, level)

    def households(self):
        return db.session.execute(
            sa.select(self.code, PeriodSnapshot.welfare_decile, sa.func.count())
            .where(self.where)
            .group_by(self.code, PeriodSnapshot.welfare_decile)
        )

    # Families, people and program recipients per region were summed from the snapshot by the
    # close itself (period_recap*, every level): read, not counted again.
    def people(self):
        return db.session.execute(
            sa.select(PeriodRecap.region_code, PeriodRecap.families, PeriodRecap.people).where(
                PeriodRecap.period_id == self.period_id,
                PeriodRecap.level == self.level,
                scope_clause(PeriodRecap.region_code, self.region),
            )
        )

    def programs(self):
        return db.session.execute(
            sa.select(
                PeriodRecapProgram.region_code,
                PeriodRecapProgram.program_id,
                PeriodRecapProgram.recipients,
            )
            .join(
                PeriodRecap,
                sa.and_(
                    PeriodRecap.period_id == PeriodRecapProgram.period_id,
                    PeriodRecap.region_code == PeriodRecapProgram.region_code,
                ),
            )
            .where(
                PeriodRecapProgram.period_id == self.period_id,
                PeriodRecap.level == self.level,
                scope_clause(PeriodRecapProgram.region_code, self.region),
            )
        )

    def sex_age(self, on: datetime.date):
        """Written by the close, aged at the period's end: later edits do not change it."""
        code = statistics.region_prefix(PeriodSnapshotPeople.village_code, self.level)
        return db.session.execute(
            sa.select(
                code,
                PeriodSnapshotPeople.sex,
                PeriodSnapshotPeople.age_group,
                sa.func.sum(PeriodSnapshotPeople.people),
            )
            .where(
                PeriodSnapshotPeople.period_id == self.period_id,
                scope_clause(PeriodSnapshotPeople.village_code, self.region),
            )
            .group_by(code, PeriodSnapshotPeople.sex, PeriodSnapshotPeople.age_group)
        )


def _rows(counter, on: datetime.date, program_codes: dict[int, str]) -> list[dict]:
    rows: dict[str, dict] = {}

    def row(code: str) -> dict:
        if code not in rows:
            rows[code] = {"code": code, "name": None, **_zeros(program_codes.values())}
        return rows[code]

    for code, decile, households in counter.households():
        entry = row(code)
        entry["households"] += households
        entry["deciles"][str(decile) if decile else NO_DECILE] += households
    for code, families, people in counter.people():
        entry = row(code)
        entry["families"] += int(families or 0)
        entry["people"] += int(people or 0)
    for code, program_id, recipients in counter.programs():
        row(code)["programs"][program_codes[program_id]] += int(recipients or 0)
    for code, sex, group, people in counter.sex_age(on):
        sex_name = sex.name if isinstance(sex, Sex) else str(sex)
        row(code)["sex_age"][sex_name][group] += people
    names = (
        dict(
            db.session.execute(
                sa.select(Region.code, Region.name).where(Region.code.in_(list(rows)))
            ).all()
        )
        if rows
        else {}
    )
    for code, entry in rows.items():
        entry["name"] = names.get(code, code)
    return [rows[code] for code in sorted(rows)]


def _zeros(program_codes) -> dict:
    return {
        "households": 0,
        "families": 0,
        "people": 0,
        "programs": {code: 0 for code in program_codes},
        "deciles": {**{str(decile): 0 for decile in statistics.DECILES}, NO_DECILE: 0},
        "sex_age": {
            sex.name: {label: 0 for label, _low, _high in statistics.AGE_GROUPS} for sex in Sex
        },
    }


def _total(rows: list[dict], program_codes) -> dict:
    total = _zeros(program_codes)
    for entry in rows:
        for name in ("households", "families", "people"):
            total[name] += entry[name]
        for name in ("programs", "deciles"):
            for key, value in entry[name].items():
                total[name][key] += value
        for sex, groups in entry["sex_age"].items():
            for group, value in groups.items():
                total["sex_age"][sex][group] += value
    return total
