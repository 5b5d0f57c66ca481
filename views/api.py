"""REST resources under /api/v1/ (DESIGN §7): scoped like the console, written through the
same domain rules as the forms."""
from flask import request
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from sqlalchemy.orm.attributes import set_committed_value

from app import households
from app.errors import Conflict, DomainError, ValidationError
from app.extensions import db
from app.privacy import nik_for_viewer
from app.scope import region_filter
from models import Family, Household, Member, Period, Program, ProgramMembership, Region
from models.households import ASSET_COLUMNS

READ_ONLY = {"get", "get_list", "info"}


class RegisterApi(ModelRestApi):
    allow_browser_login = True
    include_route_methods = READ_ONLY
    page_size = 25
    max_page_size = 100

    # Flask-AppBuilder answers any exception from a hook with 500; a broken rule is the
    # client's error, so it gets the rule's status (400, 403, 409) and nothing is written.
    def put_headless(self, pk):
        return self._answer_domain_errors(self._versioned_put, pk)

    def _versioned_put(self, pk):
        """A write to a versioned record must name the version it was based on; without it
        optimistic locking could be skipped by leaving the field out."""
        body = request.get_json(silent=True)
        if "version" in self.datamodel.list_columns and isinstance(body, dict) \
                and "version" not in body:
            raise ValidationError(gettext(
                "Send the record's current version with every change."), "version")
        return super().put_headless(pk)

    def post_headless(self):
        return self._answer_domain_errors(super().post_headless)

    def delete_headless(self, pk):
        return self._answer_domain_errors(super().delete_headless, pk)

    def _answer_domain_errors(self, method, *args):
        try:
            return method(*args)
        except DomainError as error:
            db.session.rollback()
            body = {"message": error.message}
            if error.field:
                body["field"] = error.field
            return self.response(error.status, **body)

    def pre_update(self, item):
        check_version(item)

    def _merge_update_item(self, model_item, data):
        """Flask-AppBuilder re-validates every stored value; an empty optional choice then
        fails ("may not be null"). Only what the client sent, and what is set, is loaded."""
        merged = super()._merge_update_item(model_item, dict(data))
        return {key: value for key, value in merged.items() if value is not None or key in data}


def check_version(item) -> None:
    """An update must name the version it was based on; a stale one is a conflict (409)."""
    history = db.inspect(item).attrs.version.history
    original = history.deleted[0] if history.deleted else item.version
    submitted = item.version
    if not history.has_changes() and submitted == original:
        return
    if submitted != original:
        set_committed_value(item, "version", original)
        raise Conflict(gettext(
            "Version %(sent)s is stale: the record is at version %(current)s. Read it again "
            "and resend your change.", sent=submitted, current=original))


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


HOUSEHOLD_EDITABLE = [
    name for name in HOUSEHOLD_COLUMNS
    if name not in ("id", "register_id", "status", "created_at", "updated_at")
]


class HouseholdApi(RegisterApi):
    resource_name = "household"
    datamodel = SQLAInterface(Household)
    include_route_methods = READ_ONLY | {"put", "delete"}
    base_filters = region_filter("village_code")
    list_columns = ["id", "register_id", "village_code", "address", "welfare_decile", "status"]
    show_columns = HOUSEHOLD_COLUMNS
    edit_columns = HOUSEHOLD_EDITABLE

    def pre_update(self, item):
        super().pre_update(item)
        problems = households.Problems()
        households.check_household(
            {name: getattr(item, name) for name in HOUSEHOLD_EDITABLE}, problems
        )
        problems.raise_if_any()
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
    include_route_methods = READ_ONLY | {"put"}
    base_filters = region_filter("household")
    list_columns = ["id", "nik", "full_name", "household_id", "relation_to_head", "sex", "status"]
    show_columns = MEMBER_COLUMNS
    edit_columns = [
        "nik", "full_name", "relation_to_head", "sex", "birth_place", "birth_date",
        "marital_status", "education", "school_attendance", "occupation", "employment_status",
        "disability", "chronic_illness", "status", "version",
    ]

    def pre_update(self, item):
        super().pre_update(item)
        problems = households.Problems()
        data = {name: getattr(item, name) for name in self.edit_columns}
        item.nik = households.check_member(
            data, problems, member_id=item.id, household_id=item.household_id
        )
        original = db.inspect(item).attrs.relation_to_head.history.deleted
        if original:
            set_committed_value(item, "relation_to_head", original[0])
            households.check_head_kept(item, data["relation_to_head"], data["status"])
            item.relation_to_head = data["relation_to_head"]
        problems.raise_if_any()

    def pre_get(self, data):
        data["result"]["nik"] = nik_for_viewer(data["result"].get("nik"))

    def pre_get_list(self, data):
        for row in data["result"]:
            row["nik"] = nik_for_viewer(row.get("nik"))
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
