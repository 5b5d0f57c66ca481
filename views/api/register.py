"""The register's resources under /api/v1/ (DESIGN §7): regions, households, families,
members, programs, memberships, periods — scoped like the console and written through the same
domain rules as the forms (views.api.base.RegisterApi)."""

from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import expose, permission_name, protect, safe
from flask_appbuilder.const import API_FILTERS_RIS_KEY
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext

from app.codes import REGION_CODE
from app.errors import NotFound, OutsideScope
from app.extensions import db
from app.ranking import explanations
from app.register import households
from app.security.privacy import OrderColumns
from app.security.scope import region_filter
from models import Family, Household, Member, Period, Program, ProgramMembership, Region
from views import labels
from views.api import schemas
from views.api.base import (
    READ_ONLY,
    RegisterApi,
    json_body,
    load,
    may,
)
from views.filters import count_search


class RegionApi(RegisterApi):
    include_route_methods = READ_ONLY | {"get_by_code"}
    resource_name = "region"
    datamodel = SQLAInterface(Region)
    list_model_schema, show_model_schema = schemas.RegionSchema(), schemas.RegionShowSchema()
    search_columns = ["code", "name", "level", "parent_code"]
    order_columns = ["code", "name"]

    def get_headless(self, pk, **kwargs):
        # Region keys are codes ("32", "32.73" …), not numbers.
        if not REGION_CODE.fullmatch(str(pk)):
            return self.response_404()
        return self._answer(ModelRestApi.get_headless, self, str(pk), **kwargs)

    @expose("/<string:code>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_by_code(self, code):
        """One region by its code
        ---
        get:
          summary: A region by its Kemendagri code (32, 32.73, 32.73.01, 32.73.01.1001)
          parameters:
          - in: path
            name: code
            required: true
            schema:
              type: string
              example: "32.73"
          responses:
            200:
              description: The region
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        $ref: '#/components/schemas/RegionApi.get'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        return self.get_headless(code)


class HouseholdApi(RegisterApi):
    label_columns = labels.HOUSEHOLD
    resource_name = "household"
    datamodel = SQLAInterface(Household)
    include_route_methods = READ_ONLY | {"post", "put", "delete", "ranking"}
    base_filters = region_filter("village_code")
    openapi_spec_component_schemas = (schemas.HouseholdRankingSchema,)
    list_model_schema = schemas.HouseholdListSchema()
    show_model_schema = schemas.HouseholdShowSchema()
    add_model_schema = schemas.HouseholdAddSchema()
    edit_model_schema = schemas.HouseholdEditSchema()
    search_columns = ["register_id", "village_code", "welfare_decile", "status"]
    order_columns = ["id", "register_id", "welfare_decile"]

    @expose("/<int:pk>/ranking", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def ranking(self, pk):
        """A household's PMT score, decile and their arithmetic
        ---
        get:
          summary: Score, decile, model version, intercept and per-variable contributions
          description: >-
            The latest closed period's ranking (source `period`), recomputed from the values
            and the model version its snapshot kept; before the household's first close, the
            live preview with the active model (source `preview`), its decile estimated from
            the last close's cut-offs. intercept + Σ contributions = score. Only inside your
            region.
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The ranking
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/HouseholdRankingSchema'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        household = self.datamodel.get(pk, self._base_filters)
        answer = explanations.answer(explanations.ranking_of(household)) if household else None
        if answer is None:
            return self.response_404()
        return self.response(200, **answer)

    def apply_changes(self, item, changes, data):
        problems = households.Problems()
        households.check_household(data, problems)
        problems.raise_if_any()
        for name, value in changes.items():
            setattr(item, name, value)

    def _post(self):
        """A new household with its members, for those who may enter one directly (the
        form's right); everyone else proposes it (usulan baru)."""
        if not may("can_add", "HouseholdView"):
            raise OutsideScope(
                gettext(
                    "New households enter the register as proposals: submit a proposal instead."
                )
            )
        data = load(self.add_model_schema, json_body())
        members = data.pop("members")
        household, warnings = households.create_household(data, members)
        return self.created(household, warnings)


class IdentitySearches:
    """An API whose filters look up NIK or KK numbers (app.security.privacy, app.security.lookups):
    a number is looked up whole (`eq`, `in`) as in the console — a prefix or part would uncover,
    digit by digit, a number masked viewers see masked — and each value a masked viewer asks for is
    counted against their quota and audited."""

    #: {column: kind of number} of the filters that look numbers up.
    identity_searches: dict = {}
    IDENTITY_OPERATORS = {"eq", "in"}

    def __init__(self):
        super().__init__()
        offered = self._filters.get_search_filters()
        for column in self.identity_searches:
            offered[column] = [
                flt for flt in offered[column] if flt.arg_name in self.IDENTITY_OPERATORS
            ]

    def _handle_filters_args(self, rison_args):
        filters = super()._handle_filters_args(rison_args)  # the values are plain by now
        for column, number_kind in self.identity_searches.items():
            values = []
            for item in rison_args.get(API_FILTERS_RIS_KEY, []) or []:
                if not isinstance(item, dict):
                    continue
                if item.get("col") == column and item.get("opr") in self.IDENTITY_OPERATORS:
                    value = item.get("value")
                    values += [str(one) for one in (value if isinstance(value, list) else [value])]
            count_search(number_kind, values, f"api:{self.resource_name}")
        return filters


class FamilyApi(IdentitySearches, RegisterApi):
    label_columns = labels.FAMILY
    resource_name = "family"
    datamodel = SQLAInterface(Family)
    base_filters = region_filter("household")
    list_model_schema = schemas.FamilySchema()
    show_model_schema = schemas.FamilyShowSchema()
    search_columns = ["kk_number"]
    order_columns = OrderColumns(["id", "kk_number"])  # masked viewers: by id only
    identity_searches = {"kk_number": "kk_number"}


class MemberApi(IdentitySearches, RegisterApi):
    label_columns = {**labels.MEMBER, "birth_year": lazy_gettext("Birth year")}
    resource_name = "member"
    datamodel = SQLAInterface(Member)
    include_route_methods = READ_ONLY | {"post", "put"}
    base_filters = region_filter("household")
    list_model_schema = schemas.MemberListSchema()
    show_model_schema = schemas.MemberShowSchema()
    add_model_schema = schemas.MemberAddSchema()
    edit_model_schema = schemas.MemberEditSchema()
    search_columns = ["nik", "full_name", "status"]
    order_columns = ["id", "full_name"]
    identity_searches = {"nik": "nik"}
    #: What a record is read with: its columns (birth_year is worked out from birth_date).
    show_select_columns = [
        name for name in schemas.MemberShowSchema._declared_fields if name != "birth_year"
    ]

    def apply_changes(self, item, changes, data):
        problems = households.Problems()
        data["nik"], _family = households.check_member_change(
            item.household, data, problems, member=item
        )
        problems.raise_if_any()
        for name in changes:
            setattr(item, name, data[name])

    def _post(self):
        """A member entered into a household of the caller's region, for those who may add
        one directly (the form's right); everyone else proposes a new member."""
        if not may("can_add", "MemberView"):
            raise OutsideScope(
                gettext("New members enter the register as proposals: submit a proposal instead.")
            )
        data = load(self.add_model_schema, json_body())
        household = households.household_in_scope(data.pop("household_id"))
        if household is None:
            raise NotFound(gettext("No such household in your region."), "household_id")
        problems = households.Problems()
        data["nik"], family = households.check_member_change(
            household, data, problems, kk_number=data.pop("kk_number")
        )
        problems.raise_if_any()
        member = Member(household=household, family=family, **data)
        db.session.add(member)
        return self.created(member, problems.warnings)


class ProgramApi(RegisterApi):
    label_columns = labels.PROGRAM
    resource_name = "program"
    datamodel = SQLAInterface(Program)
    list_model_schema = schemas.ProgramSchema()
    show_model_schema = schemas.ProgramShowSchema()


class MembershipApi(RegisterApi):
    label_columns = labels.MEMBERSHIP
    resource_name = "membership"
    datamodel = SQLAInterface(ProgramMembership)
    base_filters = region_filter("household")
    list_model_schema = schemas.MembershipSchema()
    show_model_schema = schemas.MembershipShowSchema()
    search_columns = ["program_id", "status"]


class PeriodApi(RegisterApi):
    label_columns = labels.PERIOD
    resource_name = "period"
    datamodel = SQLAInterface(Period)
    list_model_schema = schemas.PeriodSchema()
    show_model_schema = schemas.PeriodShowSchema()
