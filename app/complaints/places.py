"""Where a complaint's house is: coordinates as residents type them (a decimal comma, a true
minus sign), checked to lie in Indonesia, and compared with the village's district boundary so
that a reviewer is told when a photo's point is somewhere else.

The shipped boundaries (app.maps.shapes) are simplified to a few points per district, so a point
counts as inside when it lies within DISTRICT_TOLERANCE_DEGREES of its district's shape: a
house on the real border must not be flagged because the drawn border cuts a corner."""

import functools
import re

import shapely
from flask_babel import gettext
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from app import codes
from app.errors import ValidationError
from app.maps import shapes

#: (west, south, east, north) in degrees: the country with its outer islands and a margin.
INDONESIA = (94.5, -11.5, 141.5, 6.5)
#: About 1 km at the equator.
DISTRICT_TOLERANCE_DEGREES = 0.01
DISTRICT_LEVEL = 3
#: Decimal degrees: ASCII digits, a point or a comma, an optional degree sign.
DECIMAL_DEGREES = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)°?")
#: Minus signs a keyboard or a word processor gives besides "-".
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})


def parse_coordinate(text: str | float | None, field: str = "latitude") -> float | None:
    """A typed coordinate as a number ("−6,9147" → -6.9147), None when nothing was typed."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    cleaned = str(text).strip().translate(MINUS_SIGNS).replace(" ", "")
    if not cleaned:
        return None
    if not DECIMAL_DEGREES.fullmatch(cleaned):
        raise ValidationError(
            gettext("Coordinates are numbers in decimal degrees, such as -6,9147."), field
        )
    return float(cleaned.rstrip("°").replace(",", "."))


def check_coordinates(
    latitude: float | None, longitude: float | None
) -> tuple[float, float] | None:
    """(latitude, longitude) when both are given and lie in Indonesia; None when neither is.
    Half a point cannot be placed, and one outside the country is a typing slip (often the two
    numbers swapped)."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        raise ValidationError(gettext("Give both the latitude and the longitude."), missing)
    west, south, east, north = INDONESIA
    # NaN compares false and infinity is beyond any bound: neither passes.
    if not (south <= latitude <= north and west <= longitude <= east):
        raise ValidationError(gettext("The coordinates lie outside Indonesia."), "latitude")
    return latitude, longitude


def outside_district(village_code: str, latitude: float, longitude: float) -> bool:
    """Whether the point lies beyond the village's district (with the tolerance). A district the
    boundaries lack has nothing to compare with, and its complaints are not flagged."""
    area = _district_with_tolerance(codes.ancestor(village_code, DISTRICT_LEVEL))
    if area is None:
        return False
    return not shapely.contains_xy(area, longitude, latitude)


def point_inside(village_code: str) -> tuple[float, float]:
    """(latitude, longitude) of a point surely inside the village's district, for tests and the
    demo to place believable photos; LookupError when the boundaries lack the district."""
    district = codes.ancestor(village_code, DISTRICT_LEVEL)
    geometry = _district_geometry(district)
    if geometry is None:
        raise LookupError(f"no boundary for district {district!r}")
    point = geometry.representative_point()
    return point.y, point.x


@functools.lru_cache(maxsize=8192)
def _district_geometry(district: str) -> BaseGeometry | None:
    """The district's shipped shape as shapely geometry, built once per process. Simplifying
    left a few shapes crossing themselves, which buffer() would partly drop: they are repaired."""
    found = shapes.shape(district) if codes.level_of(district) == DISTRICT_LEVEL else None
    if found is None:
        return None
    geometry = MultiPolygon([Polygon(polygon[0], polygon[1:]) for polygon in found.polygons])
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


@functools.lru_cache(maxsize=8192)
def _district_with_tolerance(district: str) -> BaseGeometry | None:
    """The district's shape grown by the tolerance, prepared for many point tests."""
    geometry = _district_geometry(district)
    if geometry is None:
        return None
    area = geometry.buffer(DISTRICT_TOLERANCE_DEGREES)
    shapely.prepare(area)
    return area
