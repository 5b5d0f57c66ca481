"""Read-only REST resources under /api/v1/ (DESIGN §7); scoped like the console."""
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.scope import region_filter
from models import Family, Household, Member, Period, Program, ProgramMembership, Region
from models.households import ASSET_COLUMNS

READ_ONLY = {"get", "get_list", "info"}


class RegisterApi(ModelRestApi):
    allow_browser_login = True
    include_route_methods = READ_ONLY
    page_size = 25
    max_page_size = 100


class RegionApi(RegisterApi):
    resource_name = "region"
    datamodel = SQLAInterface(Region)
    list_columns = ["code", "name", "level", "kind", "parent_code"]
    show_columns = list_columns
    search_columns = ["code", "name", "level", "parent_code"]
    order_columns = ["code", "name"]


HOUSEHOLD_COLUMNS = [
    "id", "register_id", "village_code", "address", "rt", "rw", "latitude", "longitude",
    "building_tenure", "land_tenure", "floor_area_m2", "floor_type", "wall_type", "roof_type",
    "drinking_water", "lighting", "cooking_fuel", "toilet", *ASSET_COLUMNS, "welfare_decile",
    "status", "version", "created_at", "updated_at",
]


class HouseholdApi(RegisterApi):
    resource_name = "household"
    datamodel = SQLAInterface(Household)
    base_filters = region_filter("village_code")
    list_columns = ["id", "register_id", "village_code", "address", "welfare_decile", "status"]
    show_columns = HOUSEHOLD_COLUMNS
    search_columns = ["register_id", "village_code", "welfare_decile", "status"]
    order_columns = ["id", "register_id", "welfare_decile"]


class FamilyApi(RegisterApi):
    resource_name = "family"
    datamodel = SQLAInterface(Family)
    base_filters = region_filter("household")
    list_columns = ["id", "kk_number", "household_id"]
    show_columns = ["id", "kk_number", "household_id", "version", "created_at", "updated_at"]
    search_columns = ["kk_number"]
    order_columns = ["id", "kk_number"]


MEMBER_COLUMNS = [
    "id", "nik", "full_name", "family_id", "household_id", "relation_to_head", "sex",
    "birth_place", "birth_date", "marital_status", "education", "school_attendance",
    "occupation", "employment_status", "disability", "chronic_illness", "status", "version",
]


class MemberApi(RegisterApi):
    resource_name = "member"
    datamodel = SQLAInterface(Member)
    base_filters = region_filter("household")
    list_columns = ["id", "nik", "full_name", "household_id", "relation_to_head", "sex", "status"]
    show_columns = MEMBER_COLUMNS
    search_columns = ["nik", "full_name", "status"]
    order_columns = ["id", "full_name"]


class ProgramApi(RegisterApi):
    resource_name = "program"
    datamodel = SQLAInterface(Program)
    list_columns = ["id", "code", "name", "target_level"]
    show_columns = [*list_columns, "description"]


class MembershipApi(RegisterApi):
    resource_name = "membership"
    datamodel = SQLAInterface(ProgramMembership)
    base_filters = region_filter("household")
    list_columns = ["id", "program_id", "household_id", "family_id", "member_id", "status",
                    "start_date", "end_date", "card_number"]
    show_columns = list_columns
    search_columns = ["program_id", "status"]


class PeriodApi(RegisterApi):
    resource_name = "period"
    datamodel = SQLAInterface(Period)
    list_columns = ["id", "code", "start_date", "end_date", "status", "closed_at"]
    show_columns = list_columns


def register_apis(appbuilder) -> None:
    for api in (RegionApi, HouseholdApi, FamilyApi, MemberApi, ProgramApi, MembershipApi,
                PeriodApi):
        appbuilder.add_api(api)
