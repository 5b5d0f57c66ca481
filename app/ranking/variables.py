"""The PMT's variables: what the register holds about a household and its people, each as one
SQL expression, so the close scores a million households in one statement and one household's
explanation reads the very same values.

A variable's value is a number: 1/0 for a yes/no (an earth floor, a refrigerator), a count (people
with a disability) or a ratio rounded to four decimals (floor area per person). Booleans and
category sets are what the national verification form asks; which categories count as poor
follows BPS's poverty indicators (floor of earth, bamboo or low-quality wood, etc.).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.statistics import years_before
from models import Household, Member, Region
from models.enums import (
    BuildingTenure,
    ChronicIllness,
    CookingFuel,
    Disability,
    DrinkingWater,
    Education,
    EmploymentStatus,
    FloorType,
    Lighting,
    MemberStatus,
    RegionKind,
    Relationship,
    RoofType,
    Sex,
    Toilet,
    WallType,
)
from models.households import ASSET_COLUMNS


@dataclass(frozen=True)
class Variable:
    name: str
    label: object  # lazy msgid
    value: Callable  # (Sources) -> SQL expression


@dataclass(frozen=True)
class Sources:
    """What a variable's expression reads: the household row, its people's aggregates and
    its village."""

    household: sa.Table
    people: sa.Subquery
    village: sa.Table


def _flag(condition):
    return sa.case((condition, 1), else_=0)


def _among(column, *choices):
    return _flag(column.in_(choices))


def _ratio(numerator, denominator, cap: float):
    """numerator / denominator, capped, rounded to four decimals, 0 where nothing to divide."""
    ratio = sa.cast(numerator, sa.Float) / sa.func.nullif(denominator, 0)
    capped = sa.case((ratio > cap, cap), else_=ratio)
    rounded = sa.func.round(sa.cast(capped, sa.Numeric(12, 4)), 4)
    return sa.func.coalesce(sa.cast(rounded, sa.Float), 0.0)


def _h(name):
    return lambda s: s.household.c[name]


_EDUCATION_LEVEL = {
    Education.NONE: 0,
    Education.PRIMARY: 1,
    Education.JUNIOR: 2,
    Education.SENIOR: 3,
    Education.DIPLOMA: 4,
    Education.BACHELOR: 5,
    Education.POSTGRADUATE: 6,
}

_ASSET_LABELS = {
    "has_gas_cylinder": _l("Gas cylinder of 5.5 kg or more"),
    "has_refrigerator": _l("Refrigerator"),
    "has_air_conditioner": _l("Air conditioner"),
    "has_water_heater": _l("Water heater"),
    "has_landline": _l("Landline telephone"),
    "has_television": _l("Television"),
    "has_gold": _l("Gold/jewellery of 10 g or more"),
    "has_computer": _l("Computer/laptop"),
    "has_bicycle": _l("Bicycle"),
    "has_motorcycle": _l("Motorcycle"),
    "has_car": _l("Car"),
    "has_boat": _l("Boat"),
    "has_outboard_motor": _l("Outboard motor"),
    "has_motorboat": _l("Motorboat"),
    "has_smartphone": _l("Smartphone"),
    "owns_land": _l("Owns land"),
    "owns_other_house": _l("Owns another house"),
}

VARIABLES: tuple[Variable, ...] = (
    # the house
    Variable(
        "floor_poor",
        _l("Floor of earth, bamboo or low-quality wood"),
        lambda s: _among(
            s.household.c.floor_type, FloorType.EARTH, FloorType.BAMBOO, FloorType.POOR_WOOD
        ),
    ),
    Variable(
        "wall_poor",
        _l("Walls of bamboo, logs or woven bamboo"),
        lambda s: _among(
            s.household.c.wall_type, WallType.BAMBOO, WallType.LOGS, WallType.WOVEN_BAMBOO
        ),
    ),
    Variable(
        "roof_poor",
        _l("Roof of thatch, bamboo or shingles"),
        lambda s: _among(
            s.household.c.roof_type, RoofType.THATCH, RoofType.BAMBOO, RoofType.SHINGLE
        ),
    ),
    Variable(
        "floor_area_per_person",
        _l("Floor area per person (m², up to 50)"),
        lambda s: _ratio(s.household.c.floor_area_m2, s.people.c.size, 50.0),
    ),
    Variable(
        "house_owned",
        _l("Owns the house"),
        lambda s: _among(s.household.c.building_tenure, BuildingTenure.OWNED),
    ),
    Variable(
        "water_unimproved",
        _l("Drinking water unprotected or from a river or rain"),
        lambda s: _among(
            s.household.c.drinking_water,
            DrinkingWater.UNPROTECTED_WELL,
            DrinkingWater.UNPROTECTED_SPRING,
            DrinkingWater.SURFACE,
            DrinkingWater.RAIN,
        ),
    ),
    Variable(
        "water_bought",
        _l("Drinking water bottled or metered piped"),
        lambda s: _among(
            s.household.c.drinking_water, DrinkingWater.BOTTLED, DrinkingWater.PIPED_METERED
        ),
    ),
    Variable(
        "lighting_no_pln",
        _l("No PLN electricity"),
        lambda s: _among(s.household.c.lighting, Lighting.NON_PLN, Lighting.NONE),
    ),
    Variable(
        "lighting_unmetered",
        _l("PLN electricity without a meter"),
        lambda s: _among(s.household.c.lighting, Lighting.PLN_UNMETERED),
    ),
    Variable(
        "cooking_solid_fuel",
        _l("Cooks with firewood, charcoal, briquettes or kerosene"),
        lambda s: _among(
            s.household.c.cooking_fuel,
            CookingFuel.FIREWOOD,
            CookingFuel.CHARCOAL,
            CookingFuel.BRIQUETTE,
            CookingFuel.KEROSENE,
        ),
    ),
    Variable(
        "toilet_none",
        _l("No toilet, or only a public one"),
        lambda s: _among(s.household.c.toilet, Toilet.NONE, Toilet.PUBLIC),
    ),
    Variable(
        "toilet_shared",
        _l("Shares a toilet with other households"),
        lambda s: _among(s.household.c.toilet, Toilet.SHARED),
    ),
    # assets, in the form's order
    *(
        Variable(
            name, _ASSET_LABELS[name], (lambda column: lambda s: _flag(s.household.c[column]))(name)
        )
        for name in ASSET_COLUMNS
    ),
    # the people
    Variable(
        "household_size",
        _l("Number of household members"),
        lambda s: sa.func.coalesce(s.people.c.size, 0),
    ),
    Variable(
        "dependency_ratio",
        _l("Children under 15 and elderly 65+ per working-age member"),
        lambda s: _ratio(s.people.c.dependents, s.people.c.size - s.people.c.dependents, 5.0),
    ),
    Variable(
        "head_education",
        _l("Head's education (0 none … 6 master/doctorate)"),
        lambda s: sa.func.coalesce(s.people.c.head_education, 0),
    ),
    Variable(
        "head_female",
        _l("Head of household is a woman"),
        lambda s: sa.func.coalesce(s.people.c.head_female, 0),
    ),
    Variable(
        "head_not_working",
        _l("Head of household has no job"),
        lambda s: sa.func.coalesce(s.people.c.head_not_working, 0),
    ),
    Variable(
        "head_formal_job",
        _l("Head is an employee, civil servant or employer"),
        lambda s: sa.func.coalesce(s.people.c.head_formal, 0),
    ),
    Variable(
        "head_casual_job",
        _l("Head is a casual worker"),
        lambda s: sa.func.coalesce(s.people.c.head_casual, 0),
    ),
    Variable(
        "members_disabled",
        _l("Members with a disability"),
        lambda s: sa.func.coalesce(s.people.c.disabled, 0),
    ),
    Variable(
        "members_chronically_ill",
        _l("Members with a chronic illness"),
        lambda s: sa.func.coalesce(s.people.c.chronic, 0),
    ),
    # the place
    Variable(
        "urban",
        _l("Lives in an urban village (kelurahan)"),
        lambda s: _among(s.village.c.kind, RegionKind.URBAN_VILLAGE),
    ),
)

BY_NAME = {variable.name: variable for variable in VARIABLES}
NAMES = tuple(BY_NAME)


def people_aggregates(on: datetime.date, household_ids=None) -> sa.Subquery:
    """Per household: active members, dependants (under 15 or 65 and over on `on`), members with
    a disability or chronic illness, and the head's education level, sex and job."""
    member = Member.__table__
    head = member.c.relation_to_head == Relationship.HEAD
    young = member.c.birth_date > years_before(on, 15)
    old = member.c.birth_date <= years_before(on, 65)
    employment = member.c.employment_status

    def head_flag(condition):
        return sa.func.max(sa.case((sa.and_(head, condition), 1), else_=0))

    education = sa.case(
        *[(member.c.education == level, value) for level, value in _EDUCATION_LEVEL.items()],
        else_=0,
    )
    query = sa.select(
        member.c.household_id,
        sa.func.count().label("size"),
        sa.func.sum(_flag(sa.or_(young, old))).label("dependents"),
        sa.func.sum(_flag(member.c.disability != Disability.NONE)).label("disabled"),
        sa.func.sum(_flag(member.c.chronic_illness != ChronicIllness.NONE)).label("chronic"),
        sa.func.max(sa.case((head, education), else_=0)).label("head_education"),
        head_flag(member.c.sex == Sex.FEMALE).label("head_female"),
        head_flag(sa.or_(employment.is_(None), employment == EmploymentStatus.NOT_WORKING)).label(
            "head_not_working"
        ),
        head_flag(
            employment.in_(
                [
                    EmploymentStatus.EMPLOYEE,
                    EmploymentStatus.CIVIL_SERVANT,
                    EmploymentStatus.EMPLOYER_PERMANENT,
                ]
            )
        ).label("head_formal"),
        head_flag(
            employment.in_([EmploymentStatus.CASUAL_FARM, EmploymentStatus.CASUAL_OTHER])
        ).label("head_casual"),
    ).where(member.c.status == MemberStatus.ACTIVE)
    if household_ids is not None:
        query = query.where(member.c.household_id.in_(household_ids))
    return query.group_by(member.c.household_id).subquery("people")


def sources(on: datetime.date, household_ids=None) -> tuple[Sources, sa.FromClause]:
    """The variables' sources and the FROM clause joining them (household, its people, its
    village), for households `household_ids` (a list or a subquery) or all."""
    household = Household.__table__
    village = Region.__table__.alias("village")
    people = people_aggregates(on, household_ids)
    joined = household.outerjoin(people, people.c.household_id == household.c.id).join(
        village, village.c.code == household.c.village_code
    )
    return Sources(household, people, village), joined
