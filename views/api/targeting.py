"""GET /api/v1/targeting/: inclusion and exclusion errors and program overlap by decile for a
region and a closed period. Thin: the counts live in app/ranking/targeting.py."""

from flask import request
from flask_appbuilder.api import BaseApi, expose, permission_name, protect, safe

from app.ranking import targeting
from views.api import schemas
from views.api.base import answer_domain_errors, load


class TargetingApi(BaseApi):
    resource_name = "targeting"
    allow_browser_login = True
    openapi_spec_tag = "Targeting"
    openapi_spec_component_schemas = (schemas.TargetingSchema,)
    query_schema = schemas.TargetingQuerySchema()

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def targeting(self):
        """Targeting errors of a closed period
        ---
        get:
          summary: Eligible, receiving, inclusion and exclusion errors, overlap, by decile
          description: >-
            Per program with an eligibility rule (or the one asked), per sub-region of
            `region` at `level` and per decile, from the snapshot of a closed `period`
            (default: the latest). Only inside your region.
          parameters:
          - in: query
            name: region
            schema:
              type: string
              example: "32.73"
            description: Region code (default your region; empty for national)
          - in: query
            name: program
            schema:
              type: string
              example: "PKH"
          - in: query
            name: period
            schema:
              type: string
              example: "2026-11"
          - in: query
            name: level
            schema:
              type: string
              enum: [province, regency, district, village]
          responses:
            200:
              description: The targeting errors
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/TargetingSchema'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        return answer_domain_errors(self, self._targeting)

    def _targeting(self):
        query = load(self.query_schema, request.args.to_dict())
        return self.response(200, **targeting.targeting(**query))
