"""Region recap (Rekapitulasi): a region's households, families, people, program members and
welfare deciles, broken down by its sub-regions, with the dashboard's charts.

For a closed period the figures come from the period's snapshot (the determined register);
for the open period they are the live register ("provisional"). Each table is one grouped
query: the snapshot is indexed by (period, village code), so a regency's recap reads only its
own rows; a national recap reads the whole snapshot of the period (seconds on a full register).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from app import codes, statistics
from app.complaints import counts as complaint_counts
from app.duplicates import review
from app.extensions import db
from app.ranking import targeting
from app.security.scope import scope_clause
from app.statistics import charts
from models import (
    Family,
    Household,
    Member,
    Period,
    PeriodRecap,
    PeriodSnapshot,
    PeriodSnapshotProgram,
    Program,
    ProgramMembership,
    Region,
)
from models.enums import HouseholdStatus, MembershipStatus, MemberStatus, PeriodStatus
from reports import renderer
from reports.certificates import period_label
from reports.map_image import map_image

TEMPLATE = "recap.html"
NATIONAL = "ID"


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


LEVEL_NAMES = {1: N_("Province"), 2: N_("Regency/city"), 3: N_("District"), 4: N_("Village")}


@dataclass
class Row:
    code: str
    name: str
    households: int = 0
    families: int = 0
    people: int = 0
    deciles: dict = field(default_factory=dict)
    programs: dict = field(default_factory=dict)
    corrections: int | None = None
    new_proposals: int | None = None

    @property
    def program_members(self) -> int:
        return sum(self.programs.values())


@dataclass
class Recap:
    scope: str
    region: Region | None
    period: Period
    provisional: bool
    level: int
    programs: list  # (id, code, name)
    rows: list[Row]
    total: Row


def _sub_code(column, scope: str):
    length = codes.CODE_LENGTH[codes.sub_level(scope)]
    return sa.func.substr(column, 1, sa.literal_column(str(int(length))))


def _row(rows: dict, code: str) -> Row:
    if code not in rows:
        rows[code] = Row(code=code, name=code)
    return rows[code]


def _snapshot_rows(period: Period, scope: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    sub = _sub_code(PeriodSnapshot.village_code, scope)
    snapshot, program = PeriodSnapshot, PeriodSnapshotProgram
    where = (snapshot.period_id == period.id, scope_clause(snapshot.village_code, scope))
    for code, decile, households, families, people in db.session.execute(
        sa.select(
            sub,
            snapshot.welfare_decile,
            sa.func.count(),
            sa.func.sum(snapshot.family_count),
            sa.func.sum(snapshot.member_count),
        )
        .where(*where)
        .group_by(sub, snapshot.welfare_decile)
    ):
        row = _row(rows, code)
        row.households += households
        row.families += int(families or 0)
        row.people += int(people or 0)
        row.deciles[decile] = row.deciles.get(decile, 0) + households
    for code, program_id, recipients in db.session.execute(
        sa.select(sub, program.program_id, sa.func.sum(program.recipients))
        .join(
            snapshot,
            sa.and_(
                snapshot.period_id == program.period_id,
                snapshot.household_id == program.household_id,
            ),
        )
        .where(*where)
        .group_by(sub, program.program_id)
    ):
        _row(rows, code).programs[program_id] = int(recipients or 0)
    level = codes.sub_level(scope)
    for recap in db.session.scalars(
        sa.select(PeriodRecap).where(
            PeriodRecap.period_id == period.id,
            PeriodRecap.level == level,
            scope_clause(PeriodRecap.region_code, scope),
        )
    ):
        row = _row(rows, recap.region_code)
        row.corrections, row.new_proposals = recap.corrections, recap.new_proposals
    return rows


def _live_rows(scope: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    sub = _sub_code(Household.village_code, scope)
    active = (
        Household.status == HouseholdStatus.ACTIVE,
        scope_clause(Household.village_code, scope),
    )
    for code, decile, households in db.session.execute(
        sa.select(sub, Household.welfare_decile, sa.func.count())
        .where(*active)
        .group_by(sub, Household.welfare_decile)
    ):
        row = _row(rows, code)
        row.households += households
        row.deciles[decile] = row.deciles.get(decile, 0) + households
    for code, families in db.session.execute(
        sa.select(sub, sa.func.count(Family.id))
        .join(Household, Household.id == Family.household_id)
        .where(*active)
        .group_by(sub)
    ):
        _row(rows, code).families = families
    for code, people in db.session.execute(
        sa.select(sub, sa.func.count(Member.id))
        .join(Household, Household.id == Member.household_id)
        .where(*active, Member.status == MemberStatus.ACTIVE)
        .group_by(sub)
    ):
        _row(rows, code).people = people
    for code, program_id, count in db.session.execute(
        sa.select(sub, ProgramMembership.program_id, sa.func.count())
        .join(Household, Household.id == ProgramMembership.household_id)
        .outerjoin(Member, Member.id == ProgramMembership.member_id)
        .where(
            *active,
            ProgramMembership.status == MembershipStatus.ACTIVE,
            sa.or_(ProgramMembership.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
        )
        .group_by(sub, ProgramMembership.program_id)
    ):
        _row(rows, code).programs[program_id] = count
    return rows


def build(scope: str, period: Period) -> Recap:
    """The recap of a region (scope "" = national) for a period."""
    provisional = period.status != PeriodStatus.CLOSED
    rows = _live_rows(scope) if provisional else _snapshot_rows(period, scope)
    names = dict(
        db.session.execute(
            sa.select(Region.code, Region.name).where(Region.code.in_(list(rows)))
        ).all()
    )
    for row in rows.values():
        row.name = names.get(row.code, row.code)
    ordered = [rows[code] for code in sorted(rows)]
    programs = db.session.execute(
        sa.select(Program.id, Program.code, Program.name).order_by(Program.code)
    ).all()
    total = Row(code=scope or NATIONAL, name="")
    for row in ordered:
        total.households += row.households
        total.families += row.families
        total.people += row.people
        for decile, count in row.deciles.items():
            total.deciles[decile] = total.deciles.get(decile, 0) + count
        for program_id, count in row.programs.items():
            total.programs[program_id] = total.programs.get(program_id, 0) + count
    if not provisional:
        own = db.session.get(PeriodRecap, (period.id, scope))
        if own is not None:
            total.corrections, total.new_proposals = own.corrections, own.new_proposals
    region = db.session.get(Region, scope) if scope else None
    return Recap(
        scope, region, period, provisional, codes.sub_level(scope), programs, ordered, total
    )


def chart_svgs(recap: Recap) -> dict[str, str]:
    """The dashboard's charts (app.statistics.charts) for the recap's figures, as SVG (no
    scripts)."""
    by_region = [statistics.RegionCount(row.code, row.name, row.households) for row in recap.rows]
    deciles = {decile: recap.total.deciles.get(decile, 0) for decile in statistics.DECILES}
    if recap.total.deciles.get(None):
        deciles[None] = recap.total.deciles[None]
    programs = [
        statistics.ProgramCount(code, name, recap.total.programs.get(program_id, 0))
        for program_id, code, name in recap.programs
    ]
    return {
        "regions": charts.region_chart(by_region, recap.level, interactive=False),
        "deciles": charts.decile_chart(deciles, interactive=False),
        "programs": charts.program_chart(programs, interactive=False),
    }


def chart_images(recap: Recap) -> dict[str, str]:
    """The charts as `data:` URIs for the PDF's <img> tags."""
    return {name: charts.svg_data_uri(svg) for name, svg in chart_svgs(recap).items()}


@renderer.in_document_locale
def render(recap: Recap, printed_by: str) -> bytes:
    context = {
        **renderer.page_context(printed_by),
        "title": gettext("Region recap"),
        "recap": recap,
        "region_name": recap.region.name if recap.region else gettext("Indonesia (national)"),
        "level_name": gettext(LEVEL_NAMES[recap.level]),
        "period_label": period_label(recap.period),
        "charts": chart_images(recap),
        "deciles": statistics.DECILES,
        "has_unset_decile": any(None in row.deciles for row in recap.rows),
        "has_activity": any(row.corrections is not None for row in recap.rows),
        # Live, like the provisional figures: a closed period's recap stays as it was printed.
        "duplicates": review.open_by_regency(recap.scope) if recap.provisional else [],
        **_targeting(recap),
        **_complaints(recap),
        # The determined register's lowest four deciles (PKH's targets) where a close ranked
        # it, else the households counted so far.
        "region_map": map_image(
            recap.scope, "households" if recap.provisional else "decile_share", recap.period.code
        ),
    }
    return renderer.render_pdf(TEMPLATE, context)


def _complaints(recap: Recap) -> dict:
    """Residents' submissions received in the period, per regency, as they stand when printed."""
    rows = complaint_counts.by_regency(recap.scope, recap.period.start_date, recap.period.end_date)
    return {"complaints": rows, "complaints_total": complaint_counts.total(rows)}


def _targeting(recap: Recap) -> dict:
    """The targeting errors of a closed period (app.ranking.targeting), by decile and by the
    recap's sub-regions: the figures of the targeting page and of /api/v1/targeting/."""
    if recap.provisional:
        return {"targeting": None, "targeting_rows": []}
    figures = targeting.figures(recap.scope, recap.period, recap.level)
    rows = {}
    for program in figures["programs"]:
        for row in program["rows"]:
            entry = rows.setdefault(row["code"], {"code": row["code"], "name": row["name"]})
            entry.setdefault("programs", {})[program["code"]] = row
    return {"targeting": figures, "targeting_rows": [rows[code] for code in sorted(rows)]}


def filename(recap: Recap) -> str:
    region = (recap.scope or NATIONAL).replace(".", "")
    return f"rekapitulasi-{region}-{recap.period.code}.pdf"
