"""Households as points on a district's or a village's map, within the viewer's scope.

A district's map shows one circle per village (its households with coordinates, at their mean
position, sized by their number): clustered when zoomed out, and each circle opens the village.
A village's map shows each household, coloured by its decile or by one program, linking to its
page. Roles that see identity numbers masked (app.security.privacy) see the counts only."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app import statistics
from app.extensions import db
from app.security.privacy import sees_full_nik
from models import Household, ProgramMembership, Region
from models.enums import MembershipStatus

#: Points by decile band: ColorBrewer RdYlBu (colour-blind safe), the poorest red.
DECILE_BANDS = (
    ((1, 2), "#d7191c"),
    ((3, 4), "#fdae61"),
    ((5, 6), "#ffffbf"),
    ((7, 8), "#abd9e9"),
    ((9, 10), "#2c7bb6"),
)
NO_DECILE = "#bdbdbd"
RECEIVES, DOES_NOT = "#2c7bb6", "#fdae61"


@dataclass(frozen=True)
class Point:
    longitude: float
    latitude: float
    colour: str
    households: int = 1
    household_id: int | None = None
    village_code: str | None = None
    label: str = ""


@dataclass
class Points:
    region: str
    households: int = 0  # active households in the region
    located: int = 0  # of them, with coordinates
    clustered: bool = True
    points: list[Point] = field(default_factory=list)
    #: Villages counted but not drawn (too few households to show where, for masked viewers).
    hidden: list[Point] = field(default_factory=list)
    legend: list[tuple[str, object]] = field(default_factory=list)


def household_points(region: str, program_id: int | None = None, program_name: str = "") -> Points:
    """The points of a district (per village) or a village (per household, unless the viewer
    sees counts only or the village has more than MAP_POINTS_MAX located households)."""
    where = statistics.active_households(region)
    located = sa.and_(where, Household.latitude.is_not(None), Household.longitude.is_not(None))
    result = Points(region)
    result.households = db.session.scalar(sa.select(sa.func.count()).where(where)) or 0
    result.located = db.session.scalar(sa.select(sa.func.count()).where(located)) or 0
    limit = current_app.config.get("MAP_POINTS_MAX", 3000)
    single = len(region) == 13 and sees_full_nik() and result.located <= limit
    if single:
        result.clustered = False
        result.points, result.legend = _households(located, program_id, program_name)
    else:
        result.points = _villages(located)
        if not sees_full_nik():
            # A circle sits at its households' mean position: with one or two of them, that is
            # where they live. Masked viewers get such villages in the table only.
            fewest = current_app.config.get("MAP_MASKED_MIN_HOUSEHOLDS", 5)
            result.hidden = [point for point in result.points if point.households < fewest]
            result.points = [point for point in result.points if point.households >= fewest]
        result.legend = [("#6a51a3", _l("Households with coordinates (circle size: number)"))]
    return result


def _villages(located) -> list[Point]:
    rows = db.session.execute(
        sa.select(
            Household.village_code,
            Region.name,
            sa.func.count(),
            sa.func.avg(Household.longitude),
            sa.func.avg(Household.latitude),
        )
        .join(Region, Region.code == Household.village_code)
        .where(located)
        .group_by(Household.village_code, Region.name)
        .order_by(Household.village_code)
    )
    return [
        Point(float(lon), float(lat), "#6a51a3", count, village_code=code, label=name)
        for code, name, count, lon, lat in rows
    ]


def _households(located, program_id, program_name):
    columns = [
        Household.id,
        Household.register_id,
        Household.longitude,
        Household.latitude,
        Household.welfare_decile,
    ]
    if program_id is not None:
        receives = (
            sa.select(ProgramMembership.id)
            .where(
                ProgramMembership.household_id == Household.id,
                ProgramMembership.program_id == program_id,
                ProgramMembership.status == MembershipStatus.ACTIVE,
            )
            .exists()
        )
        columns.append(receives.label("receives"))
    points = []
    for row in db.session.execute(sa.select(*columns).where(located).order_by(Household.id)):
        if program_id is not None:
            colour = RECEIVES if row.receives else DOES_NOT
        else:
            colour = _decile_colour(row.welfare_decile)
        points.append(
            Point(
                float(row.longitude),
                float(row.latitude),
                colour,
                household_id=row.id,
                label=row.register_id,
            )
        )
    if program_id is not None:
        legend = [
            (RECEIVES, _l("Receives %(program)s", program=program_name)),
            (DOES_NOT, _l("Does not receive %(program)s", program=program_name)),
        ]
    else:
        legend = [
            (colour, _l("Decile %(lowest)s–%(highest)s", lowest=low, highest=high))
            for (low, high), colour in DECILE_BANDS
        ] + [(NO_DECILE, _l("No decile"))]
    return points, legend


def _decile_colour(decile) -> str:
    for (lowest, highest), colour in DECILE_BANDS:
        if decile is not None and lowest <= decile <= highest:
            return colour
    return NO_DECILE
