"""Complaint coordinates (app.complaints.places): typed as Indonesians type them, refused outside
Indonesia or when half given, and compared with the village's district boundary with a tolerance
of about a kilometre; a district the boundaries lack is never flagged."""

import math

import pytest

from app.complaints.places import (
    DISTRICT_TOLERANCE_DEGREES,
    check_coordinates,
    outside_district,
    parse_coordinate,
    point_inside,
)
from app.errors import ValidationError
from app.maps import shapes

#: Sukasari, Kota Bandung (app/maps/boundaries/districts/32.geojson: 32.73.01).
BANDUNG_VILLAGE = "32.73.01.1001"
JAKARTA = (-6.2, 106.8)
#: A district code the boundaries do not have.
UNKNOWN_VILLAGE = "32.99.99.1001"

pytestmark = pytest.mark.usefixtures("app_context")


# Typed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\u22126,9147", -6.9147),
        ("-6,9147", -6.9147),
        ("-6.9147", -6.9147),
        (" 107.6098 ", 107.6098),
        ("+107,6098", 107.6098),
        ("\u2013 6,9147", -6.9147),
        ("-6,9147°", -6.9147),
        ("107", 107.0),
        (",5", 0.5),
        (107.6098, 107.6098),
        (-7, -7.0),
    ],
)
def test_coordinates_are_read_as_typed(text, expected):
    assert parse_coordinate(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0"])
def test_nothing_typed_is_no_coordinate(text):
    assert parse_coordinate(text) is None


@pytest.mark.parametrize(
    "text",
    ["abc", "6,9,1", "1.000,5", "1e3", "nan", "inf", "-", "6°54'52\"", "6.9147 S", "٦٫٩١"],
)
def test_what_is_no_decimal_number_is_refused_on_its_field(text):
    with pytest.raises(ValidationError) as caught:
        parse_coordinate(text, "longitude")

    assert caught.value.field == "longitude"


def test_the_field_is_the_latitude_unless_told():
    with pytest.raises(ValidationError) as caught:
        parse_coordinate("abc")

    assert caught.value.field == "latitude"


# Checked


def test_no_coordinates_are_no_point():
    assert check_coordinates(None, None) is None


@pytest.mark.parametrize(
    "latitude, longitude, missing",
    [(-6.9147, None, "longitude"), (None, 107.6098, "latitude")],
)
def test_half_a_point_is_refused_on_the_missing_field(latitude, longitude, missing):
    with pytest.raises(ValidationError) as caught:
        check_coordinates(latitude, longitude)

    assert caught.value.field == missing


@pytest.mark.parametrize(
    "point",
    [JAKARTA, (5.8926, 95.3238), (-2.5337, 140.7181), (-10.1718, 123.6075), (-11.5, 94.5)],
    ids=["jakarta", "sabang", "jayapura", "kupang", "the-corner"],
)
def test_points_in_indonesia_are_kept(point):
    assert check_coordinates(*point) == point


@pytest.mark.parametrize(
    "point",
    [
        (107.6098, -6.9147),  # latitude and longitude swapped
        (6.9147, 107.6098 + 40),
        (1.3521, 93.0),
        (7.0, 120.0),
        (-12.0, 120.0),
        (-6.9147, 142.0),
        (0.0, 0.0),
        (math.nan, 107.6098),
        (-6.9147, math.inf),
    ],
    ids=["swapped", "far-east", "west", "north", "south", "east", "null-island", "nan", "inf"],
)
def test_points_outside_indonesia_are_refused(point):
    with pytest.raises(ValidationError) as caught:
        check_coordinates(*point)

    assert caught.value.field == "latitude"


# The district


def test_a_point_inside_the_district_is_not_flagged():
    latitude, longitude = point_inside(BANDUNG_VILLAGE)

    district = shapes.shape("32.73.01")
    west, south, east, north = district.bounds
    assert south <= latitude <= north and west <= longitude <= east
    assert outside_district(BANDUNG_VILLAGE, latitude, longitude) is False


def test_a_point_in_jakarta_is_outside_a_bandung_district():
    assert outside_district(BANDUNG_VILLAGE, *JAKARTA) is True


def _easternmost(code: str) -> tuple[float, float]:
    """(latitude, longitude) of the district's easternmost boundary vertex."""
    longitude, latitude = max(
        (vertex for polygon in shapes.shape(code).polygons for vertex in polygon[0]),
        key=lambda vertex: vertex[0],
    )
    return latitude, longitude


def test_a_point_just_beyond_the_drawn_border_is_within_the_tolerance():
    latitude, longitude = _easternmost("32.73.01")
    near = longitude + DISTRICT_TOLERANCE_DEGREES / 2
    far = longitude + DISTRICT_TOLERANCE_DEGREES * 5

    assert outside_district(BANDUNG_VILLAGE, latitude, near) is False
    assert outside_district(BANDUNG_VILLAGE, latitude, far) is True


def test_a_district_without_a_boundary_is_never_flagged():
    assert shapes.shape("32.99.99") is None

    assert outside_district(UNKNOWN_VILLAGE, *JAKARTA) is False
    assert outside_district("", *JAKARTA) is False


def test_no_point_is_inside_a_district_without_a_boundary():
    with pytest.raises(LookupError):
        point_inside(UNKNOWN_VILLAGE)


def test_a_district_of_islands_has_its_points_inside():
    """Kepulauan Seribu Utara: a district of several polygons."""
    assert len(shapes.shape("31.01.01").polygons) > 1

    latitude, longitude = point_inside("31.01.01.1001")

    assert outside_district("31.01.01.1001", latitude, longitude) is False
    assert outside_district("31.01.01.1001", *JAKARTA) is True


def test_a_district_drawn_crossing_itself_keeps_all_its_ground():
    """Lhoknga (Aceh Besar): simplification left its outline crossing itself, and growing the
    unrepaired outline by the tolerance loses this point of the district."""
    assert shapes.shape("11.06.02") is not None

    assert outside_district("11.06.02.1001", 5.4931, 95.2335) is False


def test_every_district_holds_its_own_inside_point():
    """Shapes the simplification left crossing themselves (a few, e.g. in Aceh) are repaired,
    not partly lost."""
    districts = shapes.shapes_under("", 3)
    assert len(districts) > 7000

    flagged = [
        district.code
        for district in districts
        if outside_district(district.code + ".1001", *point_inside(district.code + ".1001"))
    ]

    assert flagged == []
