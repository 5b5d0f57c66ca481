"""Where the demo's households live: the regencies and villages a run draws from, with their
weights, and coordinates near each West Javan regency's centre.

A village is drawn with its district's six digits, the prefix of the NIKs and KK numbers issued
there (app.codes: the region codes' arithmetic)."""

import random
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app import codes
from app.errors import ValidationError
from app.extensions import db
from models import Region

DEFAULT_REGIONS = ("32.73", "32.01")
#: Kota Bandung and Kabupaten Bogor share the default demo, 60/40.
DEFAULT_WEIGHTS = {"32.73": 0.6, "32.01": 0.4}
#: Shares of the national data set (app.demo.bulk) kept for the demo users' regencies.
FIXED_SHARES = {"32.73": 0.03, "32.01": 0.025}
#: A city's kelurahan weigh this many villages in the national data set, being denser.
CITY_FACTOR = 3.0

#: Approximate centres (latitude, longitude) of West Java's regencies and cities.
CENTRES = {
    "32.01": (-6.55, 106.80),
    "32.02": (-7.07, 106.70),
    "32.03": (-7.10, 107.15),
    "32.04": (-7.03, 107.55),
    "32.05": (-7.25, 107.85),
    "32.06": (-7.45, 108.15),
    "32.07": (-7.30, 108.40),
    "32.08": (-7.00, 108.55),
    "32.09": (-6.75, 108.50),
    "32.10": (-6.85, 108.25),
    "32.11": (-6.85, 107.95),
    "32.12": (-6.45, 108.20),
    "32.13": (-6.50, 107.75),
    "32.14": (-6.58, 107.45),
    "32.15": (-6.30, 107.35),
    "32.16": (-6.25, 107.15),
    "32.17": (-6.85, 107.45),
    "32.18": (-7.65, 108.55),
    "32.71": (-6.595, 106.80),
    "32.72": (-6.92, 106.93),
    "32.73": (-6.915, 107.61),
    "32.74": (-6.72, 108.56),
    "32.75": (-6.25, 106.99),
    "32.76": (-6.40, 106.82),
    "32.77": (-6.88, 107.54),
    "32.78": (-7.33, 108.22),
    "32.79": (-7.37, 108.53),
}


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


def coordinates(rng: random.Random, regency_code: str, district: str, kind: str):
    """Near the regency's centre, clustered by district; none outside West Java's table."""
    centre = CENTRES.get(regency_code)
    if centre is None:
        return None, None
    spread = 0.035 if kind == "kota" else 0.16
    district_rng = random.Random(district)  # the same place for a district in every run
    lat = centre[0] + district_rng.uniform(-spread, spread) * 0.8
    lon = centre[1] + district_rng.uniform(-spread, spread)
    jitter = spread / 6
    return (
        round(lat + rng.uniform(-jitter, jitter), 6),
        round(lon + rng.uniform(-jitter, jitter), 6),
    )
