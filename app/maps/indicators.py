"""What a map can colour regions by: the figures the console already counts, per sub-region at
one level, for one period — read from the close's recaps and snapshot for a closed period,
counted live for the open one, by the same definitions as the dashboard and the aggregates."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import statistics
from app.extensions import db
from app.security.scope import scope_clause
from app.statistics import activity
from models import Household, Member, Period, ProgramMembership
from models.duplicates import DuplicateCandidate
from models.enums import DuplicateStatus, MembershipStatus, MemberStatus, PeriodStatus
from models.snapshots import PeriodRecap, PeriodSnapshot, PeriodSnapshotProgram


@dataclass(frozen=True)
class Indicator:
    name: str
    label: object  # a lazy string
    percent: bool = False
    #: The deepest level it is counted at (3 districts; active regencies exist per regency).
    deepest: int = 3
    needs_program: bool = False
    needs_deciles: bool = False
    #: Counted now, whatever the period (a queue, not a period's figure).
    current: bool = False


INDICATORS = {
    item.name: item
    for item in (
        Indicator("households", _l("Households")),
        Indicator("people", _l("People")),
        Indicator("coverage", _l("Households receiving the program (%)"), True, needs_program=True),
        Indicator("decile_share", _l("Households in the deciles (%)"), True, needs_deciles=True),
        Indicator("active_regencies", _l("Active regencies/cities (%)"), True, deepest=2),
        Indicator("duplicates", _l("Open duplicate candidates"), deepest=2, current=True),
    )
}


@statistics.reusable
def values(
    region: str,
    name: str,
    level: int,
    period_id: int,
    program_id: int | None = None,
    deciles: tuple[int, int] = (1, 4),
) -> dict[str, float | None]:
    """The indicator per region code at `level` under `region`; a region without a value
    (nothing to divide by) is None, one absent from the result has nothing counted."""
    period = db.session.get(Period, period_id)
    closed = period.status == PeriodStatus.CLOSED
    if name == "households":
        return _households(region, level, period, closed)
    if name == "people":
        return _people(region, level, period, closed)
    if name == "coverage":
        return _share(
            _program_households(region, level, period, closed, program_id),
            _households(region, level, period, closed),
        )
    if name == "decile_share":
        return _share(
            _decile_households(region, level, period, closed, deciles),
            _households(region, level, period, closed),
        )
    if name == "active_regencies":
        return _active_regencies(region, level, period)
    if name == "duplicates":
        return _duplicates(region, level)
    raise KeyError(name)


def _share(part: dict, whole: dict) -> dict:
    return {
        code: (100.0 * part.get(code, 0) / total if total else None)
        for code, total in whole.items()
    }


def _recap(region: str, level: int, period: Period, column) -> dict:
    return dict(
        db.session.execute(
            sa.select(PeriodRecap.region_code, column).where(
                PeriodRecap.period_id == period.id,
                PeriodRecap.level == level,
                scope_clause(PeriodRecap.region_code, region),
            )
        ).all()
    )


def _grouped(query, code) -> dict:
    return {row[0]: row[1] for row in db.session.execute(query.group_by(code))}


def _households(region, level, period, closed) -> dict:
    if closed:
        return _recap(region, level, period, PeriodRecap.households)
    code = statistics.region_prefix(Household.village_code, level)
    return _grouped(
        sa.select(code, sa.func.count()).where(statistics.active_households(region)), code
    )


def _people(region, level, period, closed) -> dict:
    if closed:
        return _recap(region, level, period, PeriodRecap.people)
    code = statistics.region_prefix(Household.village_code, level)
    return _grouped(
        sa.select(code, sa.func.count())
        .join(Household, Household.id == Member.household_id)
        .where(statistics.active_households(region), Member.status == MemberStatus.ACTIVE),
        code,
    )


def _program_households(region, level, period, closed, program_id) -> dict:
    if closed:
        code = statistics.region_prefix(PeriodSnapshot.village_code, level)
        return _grouped(
            sa.select(code, sa.func.count())
            .select_from(PeriodSnapshotProgram)
            .join(
                PeriodSnapshot,
                sa.and_(
                    PeriodSnapshot.period_id == PeriodSnapshotProgram.period_id,
                    PeriodSnapshot.household_id == PeriodSnapshotProgram.household_id,
                ),
            )
            .where(
                PeriodSnapshotProgram.period_id == period.id,
                PeriodSnapshotProgram.program_id == program_id,
                scope_clause(PeriodSnapshot.village_code, region),
            ),
            code,
        )
    code = statistics.region_prefix(Household.village_code, level)
    return _grouped(
        sa.select(code, sa.func.count(sa.distinct(ProgramMembership.household_id)))
        .join(Household, Household.id == ProgramMembership.household_id)
        .outerjoin(Member, Member.id == ProgramMembership.member_id)
        .where(
            statistics.active_households(region),
            ProgramMembership.program_id == program_id,
            ProgramMembership.status == MembershipStatus.ACTIVE,
            sa.or_(ProgramMembership.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
        ),
        code,
    )


def _decile_households(region, level, period, closed, deciles) -> dict:
    lowest, highest = deciles
    if closed:
        code = statistics.region_prefix(PeriodSnapshot.village_code, level)
        return _grouped(
            sa.select(code, sa.func.count()).where(
                PeriodSnapshot.period_id == period.id,
                scope_clause(PeriodSnapshot.village_code, region),
                PeriodSnapshot.welfare_decile.between(lowest, highest),
            ),
            code,
        )
    code = statistics.region_prefix(Household.village_code, level)
    return _grouped(
        sa.select(code, sa.func.count()).where(
            statistics.active_households(region),
            Household.welfare_decile.between(lowest, highest),
        ),
        code,
    )


def _active_regencies(region, level, period) -> dict:
    """The share of a province's regencies that were active in the period; a regency is 100
    or 0."""
    counts: dict[str, list[int]] = {}
    for regency in activity.period_activity(period, region).regencies:
        entry = counts.setdefault(regency.code[: 2 if level == 1 else 5], [0, 0])
        entry[0] += int(regency.active)
        entry[1] += 1
    return {code: 100.0 * active / total for code, (active, total) in counts.items()}


def _duplicates(region, level) -> dict:
    code = statistics.region_prefix(DuplicateCandidate.regency_code, level)
    return _grouped(
        sa.select(code, sa.func.count()).where(
            DuplicateCandidate.status == DuplicateStatus.OPEN,
            scope_clause(DuplicateCandidate.regency_code, region),
        ),
        code,
    )
