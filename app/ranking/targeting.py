"""Targeting errors of a closed period, per sub-region of a region and per decile: who receives
each program and who its rule makes eligible (app.ranking.eligibility), from the period's
snapshot — the same numbers on the targeting page, in the region recap and in the API.

- inclusion error: a household that receives the program without being eligible;
- exclusion error: an eligible household that does not receive it;
- overlap: households receiving two programs at once (the diagonal: receiving that one).
Households are counted (a family- or person-level program is received by the household when
any of its families or people receives it)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app import statistics
from app.codes import PERIOD_CODE
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.ranking import eligibility
from app.register import reference
from app.security.scope import scope_clause
from app.statistics.aggregates import LEVEL_NAMES, child_level, scoped_region
from models import (
    Period,
    PeriodSnapshot,
    PeriodSnapshotEligibility,
    PeriodSnapshotProgram,
    Program,
    Region,
)
from models.enums import PeriodStatus

COUNTS = ("households", "eligible", "recipients", "inclusion_errors", "exclusion_errors")


@dataclass
class Counts:
    households: int = 0
    eligible: int = 0
    recipients: int = 0
    inclusion_errors: int = 0
    exclusion_errors: int = 0

    def add(self, other: Counts) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in COUNTS}
        data["inclusion_error_rate"] = _share(self.inclusion_errors, self.recipients)
        data["exclusion_error_rate"] = _share(self.exclusion_errors, self.eligible)
        return data


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def closed_period(code: str | None) -> Period:
    """The period asked for, which must be closed (eligibility is decided at a close); by
    default the latest closed one."""
    if not code:
        period = db.session.scalar(
            sa.select(Period)
            .where(Period.status == PeriodStatus.CLOSED)
            .order_by(Period.end_date.desc())
            .limit(1)
        )
        if period is None:
            raise NotFound(
                gettext("No period has been closed yet: targeting is counted at a close."),
                "period",
            )
        return period
    if not PERIOD_CODE.fullmatch(code):
        raise ValidationError(gettext("A period is written YYYY-MM, e.g. 2026-11."), "period")
    period = reference.period_by_code(code, "period")
    if period.status != PeriodStatus.CLOSED:
        raise ValidationError(
            gettext("Period %(code)s is not closed: targeting is counted at a close.", code=code),
            "period",
        )
    return period


def _programs(code: str | None) -> list[Program]:
    query = sa.select(Program).order_by(Program.code)
    if code:
        program = db.session.scalar(query.where(Program.code == code.strip().upper()))
        if program is None:
            raise NotFound(gettext("Unknown program %(code)s.", code=code[:16]), "program")
        return [program]
    return list(db.session.scalars(query.where(Program.eligibility.is_not(None))))


def _program_counts(period_id: int, program_id: int, region: str, level: int):
    """{(sub-region code, decile): Counts} of one program, one query."""
    snapshot = PeriodSnapshot
    eligible = sa.alias(PeriodSnapshotEligibility.__table__, "eligible")
    receiving = sa.alias(PeriodSnapshotProgram.__table__, "receiving")
    code = statistics.region_prefix(snapshot.village_code, level)
    is_eligible = eligible.c.household_id.is_not(None)
    receives = receiving.c.household_id.is_not(None)
    rows = db.session.execute(
        sa.select(
            code.label("code"),
            snapshot.welfare_decile,
            sa.func.count(),
            sa.func.count(eligible.c.household_id),
            sa.func.count(receiving.c.household_id),
            sa.func.sum(sa.case((sa.and_(receives, ~is_eligible), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(is_eligible, ~receives), 1), else_=0)),
        )
        .select_from(snapshot)
        .outerjoin(
            eligible,
            sa.and_(
                eligible.c.period_id == period_id,
                eligible.c.household_id == snapshot.household_id,
                eligible.c.program_id == program_id,
            ),
        )
        .outerjoin(
            receiving,
            sa.and_(
                receiving.c.period_id == period_id,
                receiving.c.household_id == snapshot.household_id,
                receiving.c.program_id == program_id,
            ),
        )
        .where(snapshot.period_id == period_id, scope_clause(snapshot.village_code, region))
        .group_by(code, snapshot.welfare_decile)
    ).all()
    return {(row[0], row[1]): Counts(*(int(value or 0) for value in row[2:])) for row in rows}


def _overlap(period_id: int, region: str, programs: list[Program]) -> dict:
    """Households receiving both of two programs, in all and per decile."""
    first = sa.alias(PeriodSnapshotProgram.__table__, "first")
    second = sa.alias(PeriodSnapshotProgram.__table__, "second")
    rows = db.session.execute(
        sa.select(
            PeriodSnapshot.welfare_decile, first.c.program_id, second.c.program_id, sa.func.count()
        )
        .select_from(PeriodSnapshot)
        .join(
            first,
            sa.and_(
                first.c.period_id == period_id, first.c.household_id == PeriodSnapshot.household_id
            ),
        )
        .join(
            second,
            sa.and_(
                second.c.period_id == period_id,
                second.c.household_id == PeriodSnapshot.household_id,
                second.c.program_id >= first.c.program_id,
            ),
        )
        .where(
            PeriodSnapshot.period_id == period_id,
            scope_clause(PeriodSnapshot.village_code, region),
        )
        .group_by(PeriodSnapshot.welfare_decile, first.c.program_id, second.c.program_id)
    ).all()
    position = {program.id: index for index, program in enumerate(programs)}
    size = len(programs)

    def empty():
        return [[0] * size for _ in range(size)]

    total, by_decile = empty(), {}
    for decile, one, other, count in rows:
        if one not in position or other not in position:
            continue
        matrix = by_decile.setdefault(decile, empty())
        for target in (total, matrix):
            target[position[one]][position[other]] += count
            if one != other:
                target[position[other]][position[one]] += count
    return {
        "programs": [program.code for program in programs],
        "matrix": total,
        "by_decile": [
            {"decile": decile, "matrix": by_decile[decile]}
            for decile in sorted(by_decile, key=lambda d: (d is None, d))
        ],
    }


def targeting(
    region: str | None = None,
    program: str | None = None,
    period: str | None = None,
    level: str | None = None,
) -> dict:
    """Inclusion and exclusion errors of each program with a rule (or of `program`) per
    sub-region of `region` (default: the client's scope) and per decile, and the programs'
    overlap, for a closed `period` (default: the latest). Checks the client's scope."""
    region = scoped_region(region)
    return figures(region, closed_period(period), child_level(level, region), _programs(program))


def figures(region: str, period: Period, level: int, programs: list[Program] | None = None):
    """`targeting` for a region already checked (the region recap, a report job)."""
    chosen = _programs(None) if programs is None else programs
    names = dict(
        db.session.execute(
            sa.select(Region.code, Region.name).where(
                Region.level == level, scope_clause(Region.code, region)
            )
        ).all()
    )
    answers = []
    for one in chosen:
        counts = _program_counts(period.id, one.id, region, level)
        rows, deciles, total = {}, {}, Counts()
        for (code, decile), value in counts.items():
            rows.setdefault(code, Counts()).add(value)
            deciles.setdefault(decile, Counts()).add(value)
            total.add(value)
        answers.append(
            {
                "code": one.code,
                "name": one.name,
                "rule": eligibility.describe(eligibility.parse(one.eligibility)),
                "has_rule": bool(one.eligibility),
                "total": total.as_dict(),
                "rows": [
                    {"code": code, "name": names.get(code, code), **rows[code].as_dict()}
                    for code in sorted(rows)
                ],
                "by_decile": [
                    {"decile": decile, **deciles[decile].as_dict()}
                    for decile in sorted(deciles, key=lambda d: (d is None, d))
                ],
            }
        )
    everything = list(db.session.scalars(sa.select(Program).order_by(Program.code)))
    return {
        "region": region,
        "region_name": statistics.scope_name(region),
        "level": LEVEL_NAMES[level],
        "period": period.code,
        "programs": answers,
        "overlap": _overlap(period.id, region, everything),
    }
