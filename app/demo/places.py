"""Where the demo's households live: the regencies and villages a run draws from, with their
weights, and coordinates near each West Javan regency's centre.

A village is drawn with its district's six digits, the prefix of the NIKs and KK numbers issued
there (app.codes: the region codes' arithmetic)."""

import functools
import random
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app import codes
from app.errors import ValidationError
from app.extensions import db
from app.maps import shapes
from models import Region

DEFAULT_REGIONS = ("32.73", "32.01")
#: Kota Bandung and Kabupaten Bogor share the default demo, 60/40.
DEFAULT_WEIGHTS = {"32.73": 0.6, "32.01": 0.4}
#: Shares of the national data set (app.demo.bulk) kept for the demo users' regencies.
FIXED_SHARES = {"32.73": 0.03, "32.01": 0.025}
#: A city's kelurahan weigh this many villages in the national data set, being denser.
CITY_FACTOR = 3.0


@dataclass
class Regency:
    code: str  # "32.73"
    name: str  # "Bandung"
    kind: str  # "kota" or "kab"
    weight: float
    villages: list  # [(village code, district code "327301")]


def _kind(regency_code: str) -> str:
    """Cities are numbered 71 and up within their province: "32.73" is a kota."""
    return "kota" if regency_code[3] in "789" else "kab"


def _with_district(village: str) -> tuple[str, str]:
    """ "32.73.01.1001" → ("32.73.01.1001", "327301")."""
    return village, codes.digits(codes.ancestor(village, 3))


def _short_name(name: str) -> str:
    return name.removeprefix("Kabupaten ").removeprefix("Kota ")


def load_regencies(regions: Iterable[str]) -> list[Regency]:
    """Villages under each requested region code, grouped by regency, with their weights."""
    wanted = [code.strip() for code in regions if code and code.strip()]
    if not wanted:
        raise ValidationError(gettext("Give at least one region code."), "regions")
    weights = DEFAULT_WEIGHTS if set(wanted) == set(DEFAULT_WEIGHTS) else {c: 1.0 for c in wanted}
    found = {
        region.code: region
        for region in db.session.scalars(sa.select(Region).where(Region.code.in_(wanted)))
    }
    regencies: dict[str, Regency] = {}
    for code in wanted:
        region = found.get(code)
        if region is None:
            raise ValidationError(
                gettext(
                    "Unknown region code %(code)s. Run `flask datakesos init` first if no "
                    "regions are loaded.",
                    code=code,
                ),
                "regions",
            )
        query = sa.select(Region.code).where(Region.level == 4).order_by(Region.code)
        if region.level == 4:
            query = query.where(Region.code == code)
        else:
            query = query.where(Region.code.startswith(code + "."))
        villages = list(db.session.scalars(query))
        by_regency: dict[str, list[str]] = {}
        for village in villages:
            by_regency.setdefault(codes.regency_of(village), []).append(village)
        total = len(villages) or 1
        for regency_code, regency_villages in by_regency.items():
            # A province or several regencies share the region's weight by their village counts.
            share = weights[code] * len(regency_villages) / total
            if regency_code in regencies:
                regencies[regency_code].weight += share
                regencies[regency_code].villages += [_with_district(v) for v in regency_villages]
                continue
            regencies[regency_code] = Regency(
                code=regency_code,
                name="",
                kind=_kind(regency_code),
                weight=share,
                villages=[_with_district(v) for v in regency_villages],
            )
    if not regencies:
        raise ValidationError(gettext("The given regions have no villages."), "regions")
    names = dict(
        db.session.execute(
            sa.select(Region.code, Region.name).where(Region.code.in_(list(regencies)))
        ).all()
    )
    for regency in regencies.values():
        regency.name = _short_name(names.get(regency.code, ""))
        regency.villages = sorted(set(regency.villages))
    return sorted(regencies.values(), key=lambda r: r.code)


def national_regencies() -> list[Regency]:
    """Every regency/city with its villages, weighted for a national register: by their villages
    (a city's counting CITY_FACTOR times), with FIXED_SHARES for the demo users' regencies."""
    villages: dict[str, list] = {}
    for code in db.session.scalars(
        sa.select(Region.code).where(Region.level == 4).order_by(Region.code)
    ):
        villages.setdefault(codes.regency_of(code), []).append(_with_district(code))
    if not villages:
        raise ValidationError(
            gettext(
                "Unknown region code %(code)s. Run `flask datakesos init` "
                "first if no regions are loaded.",
                code="32.73",
            ),
            "regions",
        )
    names = dict(
        db.session.execute(sa.select(Region.code, Region.name).where(Region.level == 2)).all()
    )
    regencies = []
    for code, rows in sorted(villages.items()):
        kind = _kind(code)
        regencies.append(
            Regency(
                code=code,
                name=_short_name(names.get(code, "")),
                kind=kind,
                weight=len(rows) * (CITY_FACTOR if kind == "kota" else 1.0),
                villages=rows,
            )
        )
    free = sum(r.weight for r in regencies if r.code not in FIXED_SHARES)
    fixed = sum(share for code, share in FIXED_SHARES.items() if code in villages)
    for regency in regencies:
        if regency.code in FIXED_SHARES:
            regency.weight = FIXED_SHARES[regency.code] * free / (1 - fixed)
    return regencies


def coordinates(rng: random.Random, village: str):
    """A point inside the village's district (its shipped boundary), near a spot drawn for the
    village (the same in every run), so that a district's map shows its villages apart."""
    district = codes.ancestor(village, 3)
    anchor = _village_anchor(village)
    if anchor is None:
        return None, None
    inside, radius = _district_area(district)
    for _attempt in range(12):
        lon = anchor[0] + rng.uniform(-radius, radius)
        lat = anchor[1] + rng.uniform(-radius, radius)
        if inside(lon, lat):
            break
    else:
        lon, lat = anchor
    return round(lat, 6), round(lon, 6)


@functools.lru_cache(maxsize=200_000)
def _village_anchor(village: str) -> tuple[float, float] | None:
    inside, _radius = _district_area(codes.ancestor(village, 3))
    bounds = _district_bounds(codes.ancestor(village, 3))
    if bounds is None:
        return None
    west, south, east, north = bounds
    village_rng = random.Random(village)
    for _attempt in range(200):
        lon, lat = village_rng.uniform(west, east), village_rng.uniform(south, north)
        if inside(lon, lat):
            return lon, lat
    return (west + east) / 2, (south + north) / 2


@functools.lru_cache(maxsize=8192)
def _district_bounds(district: str):
    found = shapes.shape(district)
    return found.bounds if found else None


@functools.lru_cache(maxsize=8192)
def _district_area(district: str):
    """A test of whether a point lies inside the district, and the spread of a village's
    households: an eighth of the district's extent."""
    from shapely import prepared
    from shapely.geometry import MultiPolygon, Point, Polygon

    found = shapes.shape(district)
    if found is None:
        return (lambda lon, lat: False), 0.0
    shape = prepared.prep(
        MultiPolygon([Polygon(polygon[0], polygon[1:]) for polygon in found.polygons])
    )
    west, south, east, north = found.bounds
    return (lambda lon, lat: shape.contains(Point(lon, lat))), max(east - west, north - south) / 8
