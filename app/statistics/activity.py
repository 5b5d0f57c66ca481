"""District activity: how many corrections and new proposals each regency office made in a period.

Corrections are not counted anywhere else: they are derived from the audit trail. A correction
is an audited create or update, made by a signed-in user, of a determined (ACTIVE) household,
of a family of one, or of an ACTIVE member of one, inside the period's window. The window of a
period runs from the cut-off of the previous close (or the period's first day) to its own
cut-off (`Period.closed_at`), so an edit made while or after a period closes belongs to the next
period. Writes of the system itself (the close applying proposals, bulk loads) carry no user and
are not corrections. New proposals are the period's proposals that left the draft stage.

The same SQL serves the close, which stores the figures (`DistrictActivity`, recaps), and the
dashboard, which computes the open period live and reads closed periods from the stored rows.
A regency is active when it made at least one correction or proposal (seed: 396 of 514)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.security.scope import scope_clause
from app.statistics import region_prefix
from models import (
    AuditEntry,
    DistrictActivity,
    Family,
    Household,
    Member,
    Period,
    Proposal,
    Region,
)
from models.enums import HouseholdStatus, MemberStatus, PeriodStatus, ProposalStatus

#: Audited actions that count as corrections (a deletion is not a correction of the register).
EDIT_ACTIONS = ("create", "update")
#: How many periods the chart across periods shows.
HISTORY_PERIODS = 12


# -- the window of a period -------------------------------------------------------------------
def window_start(connection, period) -> datetime.datetime:
    """Where the period's window opens: the cut-off of the latest earlier close, else the
    period's first day at midnight."""
    previous = connection.scalar(
        sa.select(sa.func.max(Period.closed_at)).where(
            Period.status == PeriodStatus.CLOSED, Period.code < period.code
        )
    )
    if isinstance(previous, str):  # SQLite hands back text from an aggregate
        previous = datetime.datetime.fromisoformat(previous)
    return previous or datetime.datetime.combine(period.start_date, datetime.time.min)


# -- SQL building blocks ----------------------------------------------------------------------
def _entity_id(entity: str):
    """The audit entry's entity id as an integer, only for entries of that entity (other
    entities may carry ids that are not numbers)."""
    return sa.cast(sa.case((AuditEntry.entity == entity, AuditEntry.entity_id)), sa.Integer)


def corrections(start: datetime.datetime, end: datetime.datetime | None = None):
    """(region_code, at) of every correction in [start, end): one row per audit entry."""
    conditions = [
        AuditEntry.at >= start,
        AuditEntry.action.in_(EDIT_ACTIONS),
        AuditEntry.user_id.is_not(None),
        AuditEntry.region_code.is_not(None),
    ]
    if end is not None:
        conditions.append(AuditEntry.at < end)
    active = Household.status == HouseholdStatus.ACTIVE
    columns = (AuditEntry.region_code.label("village_code"), AuditEntry.at.label("at"))
    of_households = (
        sa.select(*columns)
        .join(Household, Household.id == _entity_id("household"))
        .where(*conditions, AuditEntry.entity == "household", active)
    )
    of_families = (
        sa.select(*columns)
        .join(Family, Family.id == _entity_id("family"))
        .join(Household, Household.id == Family.household_id)
        .where(*conditions, AuditEntry.entity == "family", active)
    )
    of_members = (
        sa.select(*columns)
        .join(Member, Member.id == _entity_id("member"))
        .join(Household, Household.id == Member.household_id)
        .where(
            *conditions, AuditEntry.entity == "member", active, Member.status == MemberStatus.ACTIVE
        )
    )
    return sa.union_all(of_households, of_families, of_members).subquery("corrections")


def village_activity(start: datetime.datetime, end: datetime.datetime | None, period_id: int):
    """Per village: corrections, new proposals and the last of them, for one period."""
    edits = corrections(start, end)
    zero = sa.literal_column("0")
    corrected = sa.select(
        edits.c.village_code,
        sa.func.count().label("corrections"),
        zero.label("new_proposals"),
        sa.func.max(edits.c.at).label("last_update"),
    ).group_by(edits.c.village_code)
    proposed = (
        sa.select(
            Household.village_code.label("village_code"),
            zero.label("corrections"),
            sa.func.count().label("new_proposals"),
            sa.func.max(sa.func.coalesce(Proposal.submitted_at, Proposal.created_at)).label(
                "last_update"
            ),
        )
        .join(Household, Household.id == Proposal.household_id)
        .where(Proposal.period_id == period_id, Proposal.status != ProposalStatus.DRAFT)
        .group_by(Household.village_code)
    )
    both = sa.union_all(corrected, proposed).subquery("village_parts")
    return sa.select(
        both.c.village_code,
        sa.func.sum(both.c.corrections).label("corrections"),
        sa.func.sum(both.c.new_proposals).label("new_proposals"),
        sa.func.max(both.c.last_update).label("last_update"),
    ).group_by(both.c.village_code)


def regency_activity(villages, scope: str = ""):
    """Per regency/city under the scope, every one of them (zeros included): corrections, new
    proposals, last update and whether it was active, from a per-village selectable with the
    columns of `village_activity`."""
    corrected = sa.func.coalesce(sa.func.sum(villages.c.corrections), 0)
    proposed = sa.func.coalesce(sa.func.sum(villages.c.new_proposals), 0)
    return (
        sa.select(
            Region.code.label("regency_code"),
            region_prefix(Region.code, 1).label("province_code"),
            corrected.label("corrections"),
            proposed.label("new_proposals"),
            sa.func.max(villages.c.last_update).label("last_update"),
            sa.case((corrected + proposed > 0, sa.true()), else_=sa.false()).label("active"),
        )
        .select_from(Region)
        .outerjoin(villages, region_prefix(villages.c.village_code, 2) == Region.code)
        .where(Region.level == 2, scope_clause(Region.code, scope))
        .group_by(Region.code)
    )


# -- what the dashboard shows -----------------------------------------------------------------
@dataclass(frozen=True)
class RegencyActivity:
    code: str
    name: str
    province_code: str
    corrections: int
    new_proposals: int
    last_update: datetime.datetime | None
    active: bool


@dataclass(frozen=True)
class Share:
    """Active regencies of a province (or of the nation, code "") out of all of them."""

    code: str
    name: str
    active: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.active / self.total if self.total else 0.0


@dataclass
class PeriodActivity:
    period: Period
    live: bool
    regencies: list[RegencyActivity] = field(default_factory=list)
    provinces: list[Share] = field(default_factory=list)
    nation: Share | None = None

    @property
    def corrections(self) -> int:
        return sum(row.corrections for row in self.regencies)

    @property
    def new_proposals(self) -> int:
        return sum(row.new_proposals for row in self.regencies)


@dataclass(frozen=True)
class HistoryPoint:
    code: str
    live: bool
    active: int
    total: int
    corrections: int
    new_proposals: int

    @property
    def percent(self) -> float:
        return 100.0 * self.active / self.total if self.total else 0.0


def _datetime(value):
    if isinstance(value, str):  # SQLite: an aggregate over a union loses the column type
        return datetime.datetime.fromisoformat(value)
    return value


def _live_rows(period: Period, scope: str):
    start = window_start(db.session.connection(), period)
    villages = village_activity(start, None, period.id).subquery("villages")
    return db.session.execute(regency_activity(villages, scope)).all()


def _stored_rows(period: Period, scope: str):
    return db.session.execute(
        sa.select(
            DistrictActivity.regency_code,
            DistrictActivity.province_code,
            DistrictActivity.corrections,
            DistrictActivity.new_proposals,
            DistrictActivity.last_update,
            DistrictActivity.active,
        ).where(
            DistrictActivity.period_id == period.id,
            scope_clause(DistrictActivity.regency_code, scope),
        )
    ).all()


def period_activity(period: Period, scope: str) -> PeriodActivity:
    """The activity of every regency under the scope in a period: live from the audit trail
    and the proposals while the period is open, as stored by the close once it is closed.
    The national share is given only to a national scope."""
    live = period.status != PeriodStatus.CLOSED
    rows = _live_rows(period, scope) if live else _stored_rows(period, scope)
    codes = {row.regency_code for row in rows} | {row.province_code for row in rows}
    names = (
        dict(
            db.session.execute(
                sa.select(Region.code, Region.name).where(Region.code.in_(sorted(codes)))
            ).all()
        )
        if codes
        else {}
    )
    regencies = sorted(
        (
            RegencyActivity(
                code=row.regency_code,
                name=names.get(row.regency_code, row.regency_code),
                province_code=row.province_code,
                corrections=int(row.corrections or 0),
                new_proposals=int(row.new_proposals or 0),
                last_update=_datetime(row.last_update),
                active=bool(row.active),
            )
            for row in rows
        ),
        key=lambda row: row.code,
    )
    result = PeriodActivity(period=period, live=live, regencies=regencies)
    by_province: dict[str, list[int]] = {}
    for row in regencies:
        counts = by_province.setdefault(row.province_code, [0, 0])
        counts[0] += int(row.active)
        counts[1] += 1
    result.provinces = [
        Share(code, names.get(code, code), active, total)
        for code, (active, total) in sorted(by_province.items())
    ]
    if not scope:
        result.nation = Share(
            "", "", sum(s.active for s in result.provinces), sum(s.total for s in result.provinces)
        )
    return result


def history(scope: str, open_activity: PeriodActivity | None = None) -> list[HistoryPoint]:
    """Active regencies, corrections and new proposals per period under the scope, oldest
    first: the last closed periods from the stored rows, then the open period (live)."""
    active = sa.func.sum(sa.case((DistrictActivity.active, 1), else_=0))
    rows = db.session.execute(
        sa.select(
            Period.code,
            active,
            sa.func.count(),
            sa.func.sum(DistrictActivity.corrections),
            sa.func.sum(DistrictActivity.new_proposals),
        )
        .join(DistrictActivity, DistrictActivity.period_id == Period.id)
        .where(
            Period.status == PeriodStatus.CLOSED, scope_clause(DistrictActivity.regency_code, scope)
        )
        .group_by(Period.code)
        .order_by(Period.code.desc())
        .limit(HISTORY_PERIODS)
    ).all()
    points = [
        HistoryPoint(
            code, False, int(active or 0), int(total or 0), int(fixes or 0), int(proposals or 0)
        )
        for code, active, total, fixes, proposals in reversed(rows)
    ]
    if open_activity is not None and open_activity.live:
        points.append(
            HistoryPoint(
                open_activity.period.code,
                True,
                sum(int(row.active) for row in open_activity.regencies),
                len(open_activity.regencies),
                open_activity.corrections,
                open_activity.new_proposals,
            )
        )
    return points[-HISTORY_PERIODS:]


# -- charts (offline SVG, the style of app.statistics.charts: usable on a page and in a PDF) -------
def _period_label(point: HistoryPoint) -> str:
    return f"{point.code}*" if point.live else point.code


def share_chart(points: list[HistoryPoint], *, interactive: bool = True) -> str:
    """Active regencies (%) per period; the open period, counted live, is starred."""
    import pygal
    from flask_babel import gettext

    from app.statistics import charts

    chart = pygal.Bar(
        **charts._config(
            gettext("Active regencies/cities per period"),
            x_title=gettext("Period (* open, counted live)"),
            y_title=gettext("Active (%)"),
            value_formatter=lambda value: "" if value is None else f"{value:.0f}%",
            range=(0, 100),
        )
    )
    chart.x_labels = [_period_label(point) for point in points]
    chart.y_labels = [0, 20, 40, 60, 80, 100]
    chart.add(
        gettext("Active (%)"),
        [
            {
                "value": round(point.percent, 1),
                "label": gettext("%(active)s of %(total)s", active=point.active, total=point.total),
            }
            for point in points
        ],
    )
    return charts._render(chart, interactive)


def work_chart(points: list[HistoryPoint], *, interactive: bool = True) -> str:
    """Corrections and new proposals per period, side by side."""
    import pygal
    from flask_babel import gettext

    from app.statistics import charts

    chart = pygal.Bar(
        **charts._config(
            gettext("Corrections and new proposals per period"),
            show_legend=True,
            legend_at_bottom=True,
            x_title=gettext("Period (* open, counted live)"),
        )
    )
    chart.x_labels = [_period_label(point) for point in points]
    highest = max([0, *(max(p.corrections, p.new_proposals) for p in points)])
    chart.y_labels = charts.axis_labels(highest)
    chart.add(gettext("Corrections"), [point.corrections for point in points])
    chart.add(gettext("New proposals"), [point.new_proposals for point in points])
    return charts._render(chart, interactive)
