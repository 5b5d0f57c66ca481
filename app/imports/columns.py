"""The import file's columns: one row per member, carrying its household's and family's fields.

Enumerations are written by their code names (OWNED, CERAMIC, HEAD, FEMALE …), yes/no fields as
1/0 (also ya/tidak, true/false), dates as YYYY-MM-DD (also DD-MM-YYYY), decimals with a point or
a comma. A column left out of the header leaves that field of existing records unchanged; an
empty cell empties it. See docs/import-format.md.
"""

import datetime
import decimal
import re
from dataclasses import dataclass

from flask_babel import gettext

from models.enums import (
    BuildingTenure,
    ChronicIllness,
    CookingFuel,
    Disability,
    DrinkingWater,
    Education,
    EmploymentStatus,
    FloorType,
    LandTenure,
    Lighting,
    MaritalStatus,
    Occupation,
    Relationship,
    RoofType,
    SchoolAttendance,
    Sex,
    Toilet,
    WallType,
)
from models.households import ASSET_COLUMNS
from models.types import visible

#: ASCII digits only: int() would also read "١٢", and fail on "²³".
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
TRUE = frozenset({"1", "ya", "y", "true", "t", "yes", "benar"})
FALSE = frozenset({"0", "tidak", "n", "false", "f", "no", "salah", ""})


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Column:
    name: str
    #: "household", "family" or "member": which record the value belongs to.
    record: str
    kind: str = "text"  # text, int, decimal, bool, date, enum
    enum: type | None = None
    #: Must appear in the header and may not be empty.
    required: bool = False
    max_length: int | None = None


def _text_reader(max_length: int | None):
    def read(value: str):
        # Bidirectional overrides and other invisible characters are dropped, as on every
        # other door (models.types.PlainString): the import writes with COPY, past the types.
        value = visible(value)
        if max_length and len(value) > max_length:
            raise CellError(gettext("At most %(count)s characters.", count=max_length))
        return value or None

    return read


def _enum_reader(enum: type):
    members = enum.__members__
    allowed = ", ".join(members)

    def read(value: str):
        if not value:
            return None
        member = members.get(value) or members.get(value.upper())
        if member is None:
            raise CellError(
                gettext(
                    "Unknown value %(value)s; allowed: %(allowed)s.",
                    value=value[:40],
                    allowed=allowed,
                )
            )
        return member

    return read


def _bool(value: str):
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(gettext("Write 1 (yes) or 0 (no)."))


def _int(value: str):
    if not value:
        return None
    if not WHOLE_NUMBER.fullmatch(value):
        raise CellError(gettext("Write a whole number."))
    return int(value)


SIX_PLACES = decimal.Decimal("0.000001")


def _decimal(value: str):
    if not value:
        return None
    try:
        number = decimal.Decimal(value.replace(",", "."))
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellError(gettext("Write a number, e.g. -6.9147."))
    return number.quantize(SIX_PLACES)


def parse_date(value: str):
    if not value:
        return None
    if len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    for pattern in ("%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CellError(gettext("Write a date as YYYY-MM-DD, e.g. 1985-07-21."))


def _reader(column: "Column"):
    if column.kind == "text":
        return _text_reader(column.max_length)
    if column.kind == "enum":
        return _enum_reader(column.enum)
    return {"bool": _bool, "int": _int, "decimal": _decimal, "date": parse_date}[column.kind]


def _enum(name: str, record: str, enum: type, required: bool = False) -> Column:
    return Column(name, record, "enum", enum, required)


COLUMNS: tuple[Column, ...] = (
    # -- household -------------------------------------------------------------------------
    Column("register_id", "household", required=True, max_length=20),
    Column("village_code", "household", required=True, max_length=13),
    Column("address", "household", required=True, max_length=255),
    Column("rt", "household", max_length=3),
    Column("rw", "household", max_length=3),
    Column("latitude", "household", "decimal"),
    Column("longitude", "household", "decimal"),
    _enum("building_tenure", "household", BuildingTenure),
    _enum("land_tenure", "household", LandTenure),
    Column("floor_area_m2", "household", "int"),
    _enum("floor_type", "household", FloorType),
    _enum("wall_type", "household", WallType),
    _enum("roof_type", "household", RoofType),
    _enum("drinking_water", "household", DrinkingWater),
    _enum("lighting", "household", Lighting),
    _enum("cooking_fuel", "household", CookingFuel),
    _enum("toilet", "household", Toilet),
    *(Column(name, "household", "bool") for name in ASSET_COLUMNS),
    # -- family ----------------------------------------------------------------------------
    Column("kk_number", "family", required=True, max_length=20),
    # -- member ----------------------------------------------------------------------------
    Column("nik", "member", required=True, max_length=20),
    Column("full_name", "member", required=True, max_length=100),
    _enum("relation_to_head", "member", Relationship, required=True),
    _enum("sex", "member", Sex, required=True),
    Column("birth_place", "member", max_length=60),
    Column("birth_date", "member", "date", required=True),
    _enum("marital_status", "member", MaritalStatus),
    _enum("education", "member", Education),
    _enum("school_attendance", "member", SchoolAttendance),
    _enum("occupation", "member", Occupation),
    _enum("employment_status", "member", EmploymentStatus),
    _enum("disability", "member", Disability),
    _enum("chronic_illness", "member", ChronicIllness),
)
BY_NAME = {column.name: column for column in COLUMNS}
#: column name → function reading a stripped cell (raises CellError).
READERS = {column.name: _reader(column) for column in COLUMNS}
NAMES = tuple(BY_NAME)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
HOUSEHOLD_FIELDS = tuple(c.name for c in COLUMNS if c.record == "household")
MEMBER_FIELDS = tuple(c.name for c in COLUMNS if c.record == "member" and c.name != "nik")
#: Member fields with a default when empty (NOT NULL in the register).
MEMBER_DEFAULTS = {"disability": Disability.NONE, "chronic_illness": ChronicIllness.NONE}
