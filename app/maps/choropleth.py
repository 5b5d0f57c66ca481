"""A region's map: its sub-regions at one level coloured by an indicator's classes, with the
same figures as a table; or, for a district or a village, its households as points. What the
map page, Beranda, the activity page, the recap PDF, the minutes and GET /api/v1/map/ share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from app import codes
from app.codes import PERIOD_CODE
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.formatting import fraction, number
from app.maps import classes, points, shapes, svg
from app.maps.indicators import INDICATORS, Indicator, values
from app.register import reference
from app.statistics.aggregates import LEVEL_NAMES, LEVELS, scoped_region
from models import Period, Program, Region
from models.enums import PeriodStatus

DECILES = re.compile(r"(10|[1-9])(?:\s*[-–]\s*(10|[1-9]))?")


@dataclass
class Row:
    code: str
    name: str
    value: float | None
    klass: classes.Class | None = None
    has_shape: bool = True


@dataclass
class RegionMap:
    region: str
    region_name: str
    level: int  # of the coloured regions; 0 when the map shows points
    indicator: Indicator
    period: Period
    program: Program | None
    deciles: tuple[int, int]
    method: str
    rows: list[Row] = field(default_factory=list)
    classification: classes.Classification | None = None
    points: points.Points | None = None

    @property
    def title(self) -> str:
        subject = self.indicator_label
        where = self.region_name or gettext("Indonesia")
        if self.indicator.current:
            return gettext("%(subject)s — %(where)s, now", subject=subject, where=where)
        return gettext(
            "%(subject)s — %(where)s, period %(period)s",
            subject=subject,
            where=where,
            period=self.period.code,
        )

    @property
    def indicator_label(self) -> str:
        if self.indicator.needs_program and self.program:
            return gettext("Households receiving %(program)s (%%)", program=self.program.code)
        if self.indicator.needs_deciles:
            low, high = self.deciles
            span = f"{low}" if low == high else f"{low}–{high}"
            return gettext("Households in decile %(deciles)s (%%)", deciles=span)
        return str(self.indicator.label)

    @property
    def missing_shapes(self) -> list[Row]:
        return [row for row in self.rows if not row.has_shape]

    def shown(self, value) -> str:
        """A value as the table and the legend print it."""
        if value is None:
            return gettext("no data")
        return f"{fraction(value, 1)} %" if self.indicator.percent else number(round(value))


def region_map(
    region: str | None = None,
    level: str | None = None,
    indicator: str | None = None,
    period: str | None = None,
    program: str | None = None,
    decile: str | None = None,
    method: str | None = None,
    allowed: Callable[[Indicator], bool] = lambda indicator: True,
) -> RegionMap:
    """The map of `region` (default: the viewer's scope) — ValidationError, NotFound or
    OutsideScope (403) for what cannot be drawn, in the viewer's language."""
    the_indicator = _indicator(indicator, allowed)
    region = scoped_region(region)
    the_program = _program(program) if the_indicator.needs_program or program else None
    result = RegionMap(
        region=region,
        region_name=_name(region),
        level=_level(level, region, the_indicator),
        indicator=the_indicator,
        period=_period(period),
        program=the_program,
        deciles=_deciles(decile),
        method=_method(method),
    )
    if result.level == 0:
        result.points = points.household_points(
            region,
            the_program.id if the_program else None,
            the_program.code if the_program else "",
        )
        return result
    counted = values(
        region,
        the_indicator.name,
        result.level,
        result.period.id,
        the_program.id if the_indicator.needs_program else None,
        result.deciles,
    )
    shaped = {item.code for item in shapes.shapes_under(region, result.level)}
    for code, name in _sub_regions(region, result.level):
        value = counted.get(code, None if the_indicator.percent else 0)
        result.rows.append(Row(code, name, value, has_shape=code in shaped))
    result.classification = classes.classify([row.value for row in result.rows], result.method)
    for row in result.rows:
        row.klass = result.classification.of(row.value)
    return result


# --- drawing ------------------------------------------------------------------------------------


def picture(
    the_map: RegionMap,
    href: Callable[[str], str | None] = lambda code: None,
    household_href: Callable[[int], str | None] = lambda household_id: None,
    interactive: bool = True,
) -> str:
    """The SVG of a map; `href(code)` links a region (or a village's circle) one level down,
    `household_href(id)` a household's point."""
    if the_map.points is not None:
        return _points_picture(the_map, href, household_href, interactive)
    areas = []
    for row in the_map.rows:
        found = shapes.shape(row.code)
        if found is None:
            continue
        areas.append(
            svg.Area(
                found,
                row.klass.colour if row.klass else classes.NO_DATA,
                f"{row.name}: {the_map.shown(row.value)}",
                href(row.code),
            )
        )
    return svg.render(areas, [], legend(the_map), the_map.title, interactive=interactive)


def legend(the_map: RegionMap) -> list[tuple[str, str]]:
    entries = []
    for item in the_map.classification.classes if the_map.classification else ():
        low, high = the_map.shown(item.lowest), the_map.shown(item.highest)
        entries.append((item.colour, low if low == high else f"{low} – {high}"))
    if any(row.value is None for row in the_map.rows):
        entries.append((classes.NO_DATA, gettext("no data")))
    return entries


def _points_picture(the_map, href, household_href, interactive) -> str:
    found = the_map.points
    district = shapes.shape(the_map.region[:8])
    outline = [district] if district else []
    largest = max((point.households for point in found.points), default=1)
    dots = []
    for point in found.points:
        if found.clustered:
            label = gettext(
                "%(village)s: %(count)s households",
                village=point.label,
                count=number(point.households),
            )
            dots.append(
                svg.Dot(
                    point.longitude,
                    point.latitude,
                    point.colour,
                    label,
                    radius=6 + 18 * (point.households / largest) ** 0.5,
                    text=number(point.households),
                    href=href(point.village_code) if len(the_map.region) < 13 else None,
                )
            )
        else:
            dots.append(
                svg.Dot(
                    point.longitude,
                    point.latitude,
                    point.colour,
                    point.label,
                    href=household_href(point.household_id),
                )
            )
    bounds = svg.bounds_of([], dots) if dots and len(the_map.region) == 13 else None
    return svg.render(
        [],
        dots,
        [(colour, str(label)) for colour, label in found.legend],
        the_map.title,
        outline=outline,
        interactive=interactive,
        bounds=bounds,
    )


# --- parameters -------------------------------------------------------------------------------


def _indicator(name: str | None, allowed) -> Indicator:
    found = INDICATORS.get((name or "households").strip())
    if found is None or not allowed(found):
        raise ValidationError(
            gettext(
                "Unknown indicator %(name)s: choose one of %(names)s.",
                name=(name or "")[:40],
                names=", ".join(item for item in INDICATORS if allowed(INDICATORS[item])),
            ),
            "indicator",
        )
    return found


def _level(name: str | None, region: str, indicator: Indicator) -> int:
    """The level coloured; 0 for a map of points (a district's or a village's households)."""
    region_level = codes.level_of(region) if region else 0
    if not name:
        if region_level >= 3:
            return 0
        if region_level + 1 > indicator.deepest:
            raise ValidationError(
                gettext("This indicator is not counted below this region's level."), "level"
            )
        return region_level + 1
    asked = LEVELS.get(name.strip())
    deepest = min(indicator.deepest, 3)
    if asked is None or asked <= region_level or asked > deepest:
        choices = [LEVEL_NAMES[n] for n in range(region_level + 1, deepest + 1)]
        if not choices:
            raise ValidationError(
                gettext("This indicator is not counted below this region's level."), "level"
            )
        raise ValidationError(
            gettext("Level must be one of: %(levels)s.", levels=", ".join(choices)), "level"
        )
    return asked


def _period(code: str | None) -> Period:
    """The period asked, or the latest closed one (the determined register), or the open one."""
    if code:
        code = code.strip()
        if not PERIOD_CODE.fullmatch(code):
            raise ValidationError(gettext("A period is written YYYY-MM, e.g. 2026-11."), "period")
        return reference.period_by_code(code, "period")
    closed = db.session.scalar(
        sa.select(Period)
        .where(Period.status == PeriodStatus.CLOSED)
        .order_by(Period.end_date.desc())
        .limit(1)
    )
    found = closed or reference.current_period()
    if found is None:
        raise NotFound(gettext("There is no period yet."), "period")
    return found


def _program(code: str | None) -> Program:
    query = sa.select(Program).order_by(Program.code).limit(1)
    if code:
        query = sa.select(Program).where(Program.code == code.strip()[:16])
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(gettext("Unknown program %(code)s.", code=(code or "")[:16]), "program")
    return found


def _deciles(text: str | None) -> tuple[int, int]:
    if not text:
        return (1, 4)
    match = DECILES.fullmatch(text.strip())
    if not match:
        raise ValidationError(
            gettext("Deciles are written as one (3) or a range (1-4) between 1 and 10."), "decile"
        )
    lowest = int(match.group(1))
    highest = int(match.group(2) or lowest)
    return (min(lowest, highest), max(lowest, highest))


def _method(name: str | None) -> str:
    name = (name or "quantiles").strip()
    if name not in classes.METHODS:
        raise ValidationError(
            gettext("Classes are one of: %(methods)s.", methods=", ".join(classes.METHODS)),
            "classes",
        )
    return name


def _name(region: str) -> str:
    if not region:
        return ""
    return db.session.scalar(sa.select(Region.name).where(Region.code == region)) or region


def _sub_regions(region: str, level: int) -> list[tuple[str, str]]:
    query = sa.select(Region.code, Region.name).where(Region.level == level)
    if region:
        query = query.where(Region.code.startswith(region + ".", autoescape=True))
    return db.session.execute(query.order_by(Region.code)).all()
