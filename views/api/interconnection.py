"""Doors for other government systems (Interkoneksi): dashboard aggregates and the NIK status
check. Thin: the rules live in app/statistics/aggregates.py and app/register/nik_status.py.

Permissions reuse the register's: whoever may read households in a region may read its counts
(`can_get` on HouseholdApi), whoever may read members may check their status (`can_get` on
MemberApi) — each answer tells less than those lists already do, and in the same scope."""

from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose, permission_name, protect, safe
from flask_babel import gettext

from app.register import nik_status
from app.security import lookups
from app.security.rate_limits import spend
from app.statistics import aggregates
from views.api import schemas
from views.api.base import answer_domain_errors, json_body, load


class AggregateApi(BaseApi):
    resource_name = "aggregate"
    class_permission_name = "HouseholdApi"
    allow_browser_login = True
    openapi_spec_tag = "Aggregates"
    openapi_spec_component_schemas = (schemas.AggregateSchema,)
    query_schema = schemas.AggregateQuerySchema()

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def aggregate(self):
        """Counts per sub-region for dashboards
        ---
        get:
          summary: Households, families, people, program members, deciles, sex and age groups
          description: >-
            Per sub-region of `region` at `level`, for `period`: from the period's snapshot
            when it is closed, live for the open period. Only inside your region.
          parameters:
          - in: query
            name: region
            schema:
              type: string
              example: "32.73"
            description: Region code (default your region; empty for national)
          - in: query
            name: level
            schema:
              type: string
              enum: [province, regency, district, village]
            description: Level of the rows (default one below the region)
          - in: query
            name: period
            schema:
              type: string
              example: "2026-11"
            description: Period code YYYY-MM (default the open period)
          responses:
            200:
              description: Counts per sub-region and their total
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/AggregateSchema'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        return answer_domain_errors(self, self._aggregate)

    def _aggregate(self):
        query = load(self.query_schema, request.args.to_dict())
        return self.response(200, **aggregates.aggregate(**query))


class NikStatusApi(BaseApi):
    resource_name = "nik-status"
    class_permission_name = "MemberApi"
    allow_browser_login = True
    openapi_spec_tag = "NIK status"
    openapi_spec_component_schemas = (
        schemas.NikStatusRequestSchema,
        schemas.NikStatusResponseSchema,
    )
    body_schema = schemas.NikStatusRequestSchema()

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def check(self):
        """Registration status of up to 1,000 NIKs
        ---
        post:
          summary: Registered or not, decile, programs, determined period — nothing else
          description: >-
            Each NIK is answered in the order sent; a malformed one is reported on its own
            item. People outside your region are reported as not registered. Rate limited
            (NIK_CHECK_RATE_LIMIT), bounded by a quota of NIKs per 24 hours
            (NIK_CHECK_DAILY_QUOTA) and audited; a caller whose answers look like guessing
            is suspended until an administrator lifts it.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/NikStatusRequestSchema'
          responses:
            200:
              description: One answer per NIK
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/NikStatusResponseSchema'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              description: NIK checks of this caller are suspended (they looked like guessing)
            429:
              description: Too many requests, or the quota of NIKs per 24 hours is used up
        """
        return answer_domain_errors(self, self._check)

    def _check(self):
        wait = within_rate_limit("NIK_CHECK_RATE_LIMIT", "nik_status")
        if wait is not None:
            response = self.response(
                429, message=gettext("Too many requests. Try again in a minute.")
            )
            response.headers["Retry-After"] = str(wait)
            return response
        body = load(self.body_schema, json_body())
        try:
            result = nik_status.check(body["niks"])
        except lookups.QuotaUsedUp as error:
            response = self.response(429, message=error.message)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        return self.response(200, result=result)


def within_rate_limit(setting: str, scope: str) -> int | None:
    """Count one request of the signed-in user against the limit in `setting`; once it is
    used up, the seconds to wait. Per user, not per address: a program system is one user
    wherever its requests come from, and a district office shares one address."""
    user = current_app.appbuilder.sm.current_user
    who = f"user:{user.id}" if user is not None else (request.remote_addr or "-")
    return spend(setting, scope, who)


def register_interconnection_apis(appbuilder) -> None:
    """After the register's APIs: each of these shares their permission set (Flask-AppBuilder
    removes from a view-menu every permission the last registered view does not declare)."""
    for api in (AggregateApi, NikStatusApi):
        owner = next(
            view
            for view in appbuilder.baseviews
            if view.class_permission_name == api.class_permission_name
        )
        api.base_permissions = list(owner.base_permissions)
        appbuilder.add_api(api)
