"""Declared schemas of the REST resources (DESIGN §7, §9.5): the OpenAPI document shows these
types and enumerations, and every request body is read through them before a domain rule runs.

Enumerations travel by their code name (`MALE`, `OWNED` …), as the database stores them.

Longer than most modules on purpose: declarations only, one schema per resource and direction,
each field beside its neighbours so the API's contract reads in one place."""

from flask_babel import gettext
from marshmallow import RAISE, Schema, ValidationError, fields, post_dump, pre_load, validate

from app import codes
from app.ranking import decile_is_derived
from app.security.privacy import birth_year, kk_for_viewer, nik_for_viewer, sees_full_nik
from models.enums import (
    BuildingTenure,
    ChronicIllness,
    CookingFuel,
    Disability,
    DrinkingWater,
    DuplicateLevel,
    DuplicateStatus,
    Education,
    EmploymentStatus,
    FloorType,
    HouseholdStatus,
    LandTenure,
    Lighting,
    MaritalStatus,
    MembershipStatus,
    MemberStatus,
    Occupation,
    PeriodStatus,
    RegionKind,
    Relationship,
    RoofType,
    SchoolAttendance,
    Sex,
    TargetLevel,
    Toilet,
    WallType,
)
from models.households import ASSET_COLUMNS

VILLAGE_CODE = validate.Regexp(f"^{codes.VILLAGE_CODE.pattern}$")


def choice(enum, **kwargs):
    return fields.Enum(enum, **kwargs)


class Strict(Schema):
    """Unknown fields are an error, not silently dropped: a misspelt field must not look saved."""

    class Meta:
        unknown = RAISE


# --- Regions, programs, periods ----------------------------------------------------------------


class RegionSchema(Strict):
    code = fields.String(metadata={"example": "32.73.01.1001"})
    name = fields.String()
    level = fields.Integer(validate=validate.Range(1, 4))
    kind = choice(RegionKind)
    parent_code = fields.String(allow_none=True)


class RegionShowSchema(RegionSchema):
    pass


class ProgramSchema(Strict):
    id = fields.Integer()
    code = fields.String(metadata={"example": "PKH"})
    name = fields.String()
    target_level = choice(TargetLevel)


class ProgramShowSchema(ProgramSchema):
    description = fields.String(allow_none=True)
    eligibility = fields.String(
        allow_none=True, metadata={"description": "The eligibility rule (JSON; README)."}
    )


class PeriodSchema(Strict):
    id = fields.Integer()
    code = fields.String(metadata={"example": "2026-11"})
    start_date = fields.Date()
    end_date = fields.Date()
    status = choice(PeriodStatus)
    closed_at = fields.DateTime(allow_none=True)


class PeriodShowSchema(PeriodSchema):
    pass


# --- Households ----------------------------------------------------------------------------------


def _asset_fields() -> dict:
    return {name: fields.Boolean() for name in ASSET_COLUMNS}


class HouseholdFields(Strict):
    """What a client may write about a household."""

    village_code = fields.String(validate=VILLAGE_CODE, metadata={"example": "32.73.01.1001"})
    address = fields.String(validate=validate.Length(1, 255))
    rt = fields.String(allow_none=True, validate=validate.Length(max=3))
    rw = fields.String(allow_none=True, validate=validate.Length(max=3))
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90.0, 90.0))
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180.0, 180.0))
    building_tenure = choice(BuildingTenure, allow_none=True)
    land_tenure = choice(LandTenure, allow_none=True)
    floor_area_m2 = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(1, 100_000)
    )
    floor_type = choice(FloorType, allow_none=True)
    wall_type = choice(WallType, allow_none=True)
    roof_type = choice(RoofType, allow_none=True)
    drinking_water = choice(DrinkingWater, allow_none=True)
    lighting = choice(Lighting, allow_none=True)
    cooking_fuel = choice(CookingFuel, allow_none=True)
    toilet = choice(Toilet, allow_none=True)
    locals().update(_asset_fields())

    @pre_load
    def _decile_is_derived(self, data, **kwargs):
        # Named, not just "unknown": clients that used to write it must learn why it stopped.
        if isinstance(data, dict) and "welfare_decile" in data:
            raise ValidationError({"welfare_decile": [decile_is_derived()]})
        return data


class HouseholdEditSchema(HouseholdFields):
    """PUT: any subset of the fields, and the version the change was based on."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class HouseholdListSchema(Strict):
    id = fields.Integer()
    register_id = fields.String()
    village_code = fields.String()
    address = fields.String()
    welfare_decile = fields.Integer(allow_none=True)
    status = choice(HouseholdStatus)


class HouseholdShowSchema(HouseholdFields):
    id = fields.Integer()
    register_id = fields.String()
    welfare_decile = fields.Integer(allow_none=True)
    previous_decile = fields.Integer(allow_none=True)
    status = choice(HouseholdStatus)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# --- Families and members -------------------------------------------------------------------------


class ContributionSchema(Schema):
    variable = fields.String(metadata={"example": "floor_poor"})
    label = fields.String(metadata={"description": "The variable in words (your language)."})
    value = fields.Float()
    weight = fields.Float()
    contribution = fields.Float(metadata={"description": "weight × value"})


class ScoreSchema(Schema):
    score = fields.Float(metadata={"description": "intercept + Σ contribution"})
    decile = fields.Integer(allow_none=True, validate=validate.Range(1, 10))
    model_version = fields.String(metadata={"example": "pmt-2026-default"})
    intercept = fields.Float(metadata={"description": "The constant of the household's province."})
    contributions = fields.List(
        fields.Nested(ContributionSchema),
        metadata={"description": "Non-zero contributions, largest in size first."},
    )


class PreviewSchema(ScoreSchema):
    cutoffs_period = fields.String(
        allow_none=True, metadata={"description": "The closed period whose cut-offs give decile."}
    )


class HouseholdRankingSchema(ScoreSchema):
    source = fields.String(
        validate=validate.OneOf(["period", "preview"]),
        metadata={"description": "period: a closed period's ranking; preview: live, estimated."},
    )
    period = fields.String(allow_none=True, metadata={"example": "2026-11"})
    model_decile = fields.Integer(allow_none=True)
    previous_decile = fields.Integer(
        allow_none=True, metadata={"description": "The decile typed in before the ranking."}
    )
    preview = fields.Nested(PreviewSchema, allow_none=True)


class MaskedIdentity(Schema):
    """NIK, KK number and birth date as the viewer may see them (app.security.privacy), in every
    answer: lists, records, and the record returned by a write."""

    @post_dump
    def mask_identity(self, data, **kwargs):
        if "nik" in data:
            data["nik"] = nik_for_viewer(data["nik"])
        if "kk_number" in data:
            data["kk_number"] = kk_for_viewer(data["kk_number"])
        if "birth_date" in data and not sees_full_nik():
            data["birth_date"] = None
        return data


MASKED = "Masked (first 6 and last 2 digits) for Provinsi and Interkoneksi."


class FamilySchema(MaskedIdentity, Strict):
    id = fields.Integer()
    kk_number = fields.String(metadata={"description": MASKED})
    household_id = fields.Integer()


class FamilyShowSchema(FamilySchema):
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def _identity_fields(required: bool) -> dict:
    return {
        "nik": fields.String(
            required=required,
            validate=validate.Length(max=40),
            metadata={"example": "3273014105900001"},
        ),
        "full_name": fields.String(required=required, validate=validate.Length(1, 100)),
        "relation_to_head": choice(Relationship, required=required),
        "sex": choice(Sex, required=required),
        "birth_date": fields.Date(required=required),
    }


class MemberFields(Strict):
    locals().update(_identity_fields(required=False))
    birth_place = fields.String(allow_none=True, validate=validate.Length(max=60))
    marital_status = choice(MaritalStatus, allow_none=True)
    education = choice(Education, allow_none=True)
    school_attendance = choice(SchoolAttendance, allow_none=True)
    occupation = choice(Occupation, allow_none=True)
    employment_status = choice(EmploymentStatus, allow_none=True)
    disability = choice(Disability)
    chronic_illness = choice(ChronicIllness)


class MemberEditSchema(MemberFields):
    status = choice(MemberStatus)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class NewMemberSchema(MemberFields):
    """A member entered with a household (POST household) or into one (POST member)."""

    locals().update(_identity_fields(required=True))
    kk_number = fields.String(
        required=True, validate=validate.Length(max=40), metadata={"example": "3273010101200001"}
    )


class MemberAddSchema(NewMemberSchema):
    household_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class HouseholdAddSchema(HouseholdFields):
    village_code = fields.String(
        required=True, validate=VILLAGE_CODE, metadata={"example": "32.73.01.1001"}
    )
    address = fields.String(required=True, validate=validate.Length(1, 255))
    members = fields.List(
        fields.Nested(NewMemberSchema), required=True, validate=validate.Length(1, 50)
    )


class MemberListSchema(MaskedIdentity, Strict):
    id = fields.Integer()
    nik = fields.String(metadata={"description": MASKED})
    full_name = fields.String()
    household_id = fields.Integer()
    relation_to_head = choice(Relationship)
    sex = choice(Sex)
    status = choice(MemberStatus)


class MemberShowSchema(MaskedIdentity, MemberFields):
    id = fields.Integer()
    nik = fields.String(metadata={"description": MASKED})
    birth_date = fields.Date(
        metadata={"description": "Null for Provinsi and Interkoneksi, who get the birth year only."}
    )
    birth_year = fields.Function(
        lambda member: birth_year(member.birth_date),
        dump_only=True,
        metadata={"type": "integer", "example": 1975},
    )
    family_id = fields.Integer()
    household_id = fields.Integer()
    status = choice(MemberStatus)
    version = fields.Integer()


class MembershipSchema(Strict):
    id = fields.Integer()
    program_id = fields.Integer()
    household_id = fields.Integer()
    family_id = fields.Integer(allow_none=True)
    member_id = fields.Integer(allow_none=True)
    status = choice(MembershipStatus)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    card_number = fields.String(allow_none=True)


class MembershipShowSchema(MembershipSchema):
    pass


# --- Messages in the client's language ------------------------------------------------------------


def translated(messages):
    """marshmallow's messages (English, fixed) in the client's language; nested dicts and lists
    keep their shape: {"sex": ["Must be one of: MALE, FEMALE."]}."""
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translated(value) for value in messages]
    return _translate(str(messages))


def _translate(message: str) -> str:
    if message.startswith("Must be one of: "):
        return gettext(
            "Must be one of: %(choices)s.", choices=message[len("Must be one of: ") :].rstrip(".")
        )
    known = {
        "Missing data for required field.": gettext("This field is required."),
        "Unknown field.": gettext("Unknown field."),
        "Field may not be null.": gettext("This field may not be empty."),
        "Not a valid integer.": gettext("Not a whole number."),
        "Not a valid number.": gettext("Not a number."),
        "Not a valid string.": gettext("Not a text."),
        "Not a valid boolean.": gettext("Not true or false."),
        "Not a valid date.": gettext("Not a date (YYYY-MM-DD)."),
        "Not a valid list.": gettext("Not a list."),
        "Invalid input type.": gettext("Wrong type of value."),
        "Invalid input.": gettext("Invalid value."),
        "Invalid value.": gettext("Invalid value."),
        "String does not match expected pattern.": gettext("Wrong format."),
        "Special numeric values (nan or infinity) are not permitted.": gettext("Not a number."),
    }
    if message in known:
        return known[message]
    if message.startswith(("Must be greater", "Must be less")):
        return gettext("Value out of range: %(rule)s", rule=message)
    if message.startswith(("Length must be", "Shorter than", "Longer than")):
        return gettext("Wrong length: %(rule)s", rule=message)
    return message


# --- Aggregates and the NIK status check (views/api/interconnection.py) ---------------------------


class CountsSchema(Schema):
    households = fields.Integer()
    families = fields.Integer()
    people = fields.Integer()
    programs = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Receiving members per program code."},
    )
    deciles = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": 'Households per welfare decile 1–10; "none": without a decile.'},
    )
    sex_age = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={
            "description": "People per sex (MALE, FEMALE) and age group "
            "(0–4, 5–14, 15–24, 25–44, 45–59, 60+)."
        },
    )


class RegionCountsSchema(CountsSchema):
    code = fields.String()
    name = fields.String()


class AggregateSchema(Schema):
    region = fields.String(metadata={"description": "The region broken down; empty: national."})
    region_name = fields.String(allow_none=True)
    level = fields.String(validate=validate.OneOf(["province", "regency", "district", "village"]))
    period = fields.String()
    period_status = choice(PeriodStatus)
    source = fields.String(validate=validate.OneOf(["snapshot", "live"]))
    sex_age_basis = fields.String()
    age_on = fields.Date()
    rows = fields.List(fields.Nested(RegionCountsSchema))
    total = fields.Nested(CountsSchema)


class AggregateQuerySchema(Strict):
    region = fields.String(
        validate=validate.Length(max=13),
        metadata={"description": "Region code (default: your region)", "example": "32.73"},
    )
    level = fields.String(validate=validate.OneOf(["province", "regency", "district", "village"]))
    period = fields.String(
        validate=validate.Length(max=7),
        metadata={"description": "Period code (default: the open period)", "example": "2026-11"},
    )


class NikStatusRequestSchema(Strict):
    niks = fields.List(
        fields.Raw(allow_none=True, metadata={"type": "string", "example": "3273014105900001"}),
        required=True,
        metadata={"description": "1 to 1,000 NIKs."},
    )


class NikStatusSchema(Schema):
    nik = fields.String(allow_none=True)
    valid = fields.Boolean()
    errors = fields.List(fields.String())
    registered = fields.Boolean()
    welfare_decile = fields.Integer(allow_none=True)
    programs = fields.List(fields.String())
    determined_period = fields.String(allow_none=True)


class NikStatusResponseSchema(Schema):
    result = fields.List(fields.Nested(NikStatusSchema))


class AuditEntrySchema(Strict):
    id = fields.Integer()
    at = fields.DateTime()
    username = fields.String(allow_none=True)
    ip_address = fields.String(allow_none=True)
    action = fields.String(metadata={"example": "update"})
    entity = fields.String(metadata={"example": "household"})
    entity_id = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    before = fields.Raw(
        allow_none=True, metadata={"type": "object", "description": "Values before the change."}
    )
    after = fields.Raw(
        allow_none=True, metadata={"type": "object", "description": "Values after the change."}
    )


class AuditEntryShowSchema(AuditEntrySchema):
    user_id = fields.Integer(allow_none=True)


# --- Duplicate candidates -------------------------------------------------------------------------


class DuplicateSchema(Strict):
    """A pair of members who may be one person, or of households entered twice
    (app.duplicates): ids, score and reasons only."""

    id = fields.Integer()
    member_ids = fields.Function(
        lambda candidate: None if candidate.of_households else list(candidate.pair),
        allow_none=True,
        metadata={"description": "The two members' ids, the lower first (a pair of people)."},
    )
    household_ids = fields.Function(
        lambda candidate: list(candidate.pair) if candidate.of_households else None,
        allow_none=True,
        metadata={"description": "The two households' ids (a household entered twice)."},
    )
    score = fields.Float(metadata={"example": 10.0})
    level = choice(DuplicateLevel)
    reasons = fields.List(fields.String(), metadata={"example": ["name_same", "nik_one_edit"]})
    status = choice(DuplicateStatus)
    regency_code = fields.String(metadata={"example": "32.73"})
    other_regency_code = fields.String(metadata={"example": "32.73"})
    found_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


# --- Targeting ---------------------------------------------------------------------------------


class TargetingCountsSchema(Schema):
    households = fields.Integer()
    eligible = fields.Integer(metadata={"description": "Households the program's rule selects"})
    recipients = fields.Integer(metadata={"description": "Households receiving the program"})
    inclusion_errors = fields.Integer(metadata={"description": "Receiving, not eligible"})
    exclusion_errors = fields.Integer(metadata={"description": "Eligible, not receiving"})
    inclusion_error_rate = fields.Float(allow_none=True)
    exclusion_error_rate = fields.Float(allow_none=True)


class TargetingRowSchema(TargetingCountsSchema):
    code = fields.String()
    name = fields.String()


class TargetingDecileSchema(TargetingCountsSchema):
    decile = fields.Integer(allow_none=True)


class TargetingProgramSchema(Schema):
    code = fields.String(metadata={"example": "PKH"})
    name = fields.String()
    rule = fields.String(metadata={"description": "The eligibility rule in words"})
    has_rule = fields.Boolean()
    total = fields.Nested(TargetingCountsSchema)
    rows = fields.List(fields.Nested(TargetingRowSchema))
    by_decile = fields.List(fields.Nested(TargetingDecileSchema))


class OverlapDecileSchema(Schema):
    decile = fields.Integer(allow_none=True)
    matrix = fields.List(fields.List(fields.Integer()))


class OverlapSchema(Schema):
    programs = fields.List(fields.String())
    matrix = fields.List(
        fields.List(fields.Integer()),
        metadata={"description": "Households receiving both programs (row, column)"},
    )
    by_decile = fields.List(fields.Nested(OverlapDecileSchema))


class TargetingSchema(Schema):
    region = fields.String()
    region_name = fields.String(allow_none=True)
    level = fields.String(validate=validate.OneOf(["province", "regency", "district", "village"]))
    period = fields.String()
    programs = fields.List(fields.Nested(TargetingProgramSchema))
    overlap = fields.Nested(OverlapSchema)


class TargetingQuerySchema(AggregateQuerySchema):
    program = fields.String(
        validate=validate.Length(max=16),
        metadata={"description": "Program code (default: every program with a rule)"},
    )


# --- Maps ----------------------------------------------------------------------------------------


class MapQuerySchema(Strict):
    """Checked in words by app.maps.choropleth (which names the choices): lengths only here."""

    region = fields.String(validate=validate.Length(max=13))
    level = fields.String(validate=validate.Length(max=16))
    indicator = fields.String(validate=validate.Length(max=40))
    period = fields.String(validate=validate.Length(max=7))
    program = fields.String(validate=validate.Length(max=16))
    decile = fields.String(validate=validate.Length(max=5))
    method = fields.String(data_key="classes", validate=validate.Length(max=16))


class MapClassSchema(Schema):
    klass = fields.Integer(data_key="class")
    lowest = fields.Float()
    highest = fields.Float()
    colour = fields.String()
    regions = fields.Integer()


class MapFeatureSchema(Schema):
    type = fields.String(metadata={"example": "Feature"})
    properties = fields.Dict(
        metadata={"example": {"code": "32.73", "name": "Kota Bandung", "value": 1234, "class": 4}}
    )
    geometry = fields.Dict(allow_none=True, metadata={"description": "Polygon or MultiPolygon"})


class MapSchema(Schema):
    type = fields.String(metadata={"example": "FeatureCollection"})
    region = fields.String()
    level = fields.String()
    indicator = fields.String()
    title = fields.String()
    period = fields.String()
    classes = fields.List(fields.Nested(MapClassSchema))
    without_shape = fields.List(fields.String())
    features = fields.List(fields.Nested(MapFeatureSchema))
