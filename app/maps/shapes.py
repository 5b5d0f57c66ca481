"""The shipped region boundaries (app/maps/boundaries, built by scripts/build_boundaries.py):
each region's outline as rings of (longitude, latitude), read once per process."""

from __future__ import annotations

import functools
import json
import pathlib
from dataclasses import dataclass

from app import codes

BOUNDARIES = pathlib.Path(__file__).with_name("boundaries")
#: The levels that have shapes; villages have none (their households are drawn as points).
SHAPED_LEVELS = {1: "provinces", 2: "regencies", 3: "districts"}

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    #: Polygons, each its outer ring and any holes.
    polygons: tuple[tuple[Ring, ...], ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)"""
        xs = [x for polygon in self.polygons for ring in polygon for x, _y in ring]
        ys = [y for polygon in self.polygons for ring in polygon for _x, y in ring]
        return min(xs), min(ys), max(xs), max(ys)


def file_of(level: int, province: str = "") -> pathlib.Path:
    if level == 3:
        return BOUNDARIES / "districts" / f"{province}.geojson"
    return BOUNDARIES / f"{SHAPED_LEVELS[level]}.geojson"


@functools.lru_cache(maxsize=64)
def _collection(level: int, province: str = "") -> dict[str, Shape]:
    path = file_of(level, province)
    if not path.is_file():
        return {}
    found = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        code = feature["properties"]["code"]
        found[code] = Shape(
            code,
            feature["properties"]["name"],
            tuple(
                tuple(tuple((x, y) for x, y in ring) for ring in polygon) for polygon in polygons
            ),
        )
    return found


def shape(code: str) -> Shape | None:
    """The outline of a province, regency or district; None for a village or a code the
    boundaries lack."""
    level = codes.level_of(code) if code else 0
    if level not in SHAPED_LEVELS:
        return None
    return _collection(level, code[:2]).get(code)


def shapes_under(region: str, level: int) -> list[Shape]:
    """The shapes at `level` inside `region` ("" the nation), in code order."""
    if level not in SHAPED_LEVELS:
        return []
    if level == 3:
        provinces = [region[:2]] if region else sorted(_collection(1))
        found = [item for province in provinces for item in _collection(3, province).values()]
    else:
        found = list(_collection(level).values())
    prefix = region + "." if region else ""
    return sorted((item for item in found if item.code.startswith(prefix)), key=lambda s: s.code)
