"""GET /api/v1/map/: a region's sub-regions as a GeoJSON FeatureCollection, each feature with
its indicator value and class. Thin: the map is app/maps/choropleth.py's, as on the map page."""

from flask import request
from flask_appbuilder.api import BaseApi, expose, permission_name, protect, safe
from flask_babel import gettext

from app.errors import ValidationError
from app.maps import choropleth, shapes
from views.api import schemas
from views.api.base import answer_domain_errors, load
from views.map_links import allowed_indicator


class MapApi(BaseApi):
    resource_name = "map"
    allow_browser_login = True
    openapi_spec_tag = "Maps"
    openapi_spec_component_schemas = (schemas.MapSchema,)
    query_schema = schemas.MapQuerySchema()

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def map(self):
        """A choropleth's regions as GeoJSON
        ---
        get:
          summary: Sub-regions of a region with an indicator's value and class
          description: >-
            The sub-regions of `region` (default: your region) at `level` (default: one below)
            as GeoJSON features (longitude, latitude) whose properties carry `code`, `name`,
            `value` (null: nothing to divide by) and `class` (1 = lowest; null without a value),
            for `period` (default: the latest closed one). Only inside your region.
          parameters:
          - in: query
            name: region
            schema: {type: string, example: "32"}
          - in: query
            name: level
            schema: {type: string, enum: [province, regency, district]}
          - in: query
            name: indicator
            schema:
              type: string
              enum: [households, people, coverage, decile_share, active_regencies, duplicates]
          - in: query
            name: period
            schema: {type: string, example: "2026-11"}
          - in: query
            name: program
            schema: {type: string, example: "PKH"}
            description: The program of `coverage` (default the first by code)
          - in: query
            name: decile
            schema: {type: string, example: "1-4"}
            description: The deciles of `decile_share`, one or a range
          - in: query
            name: classes
            schema: {type: string, enum: [quantiles, jenks]}
          responses:
            200:
              description: The regions
              content:
                application/geo+json:
                  schema:
                    $ref: '#/components/schemas/MapSchema'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        return answer_domain_errors(self, self._map)

    def _map(self):
        query = load(self.query_schema, request.args.to_dict())
        the_map = choropleth.region_map(**query, allowed=allowed_indicator)
        if the_map.level == 0:
            raise ValidationError(
                gettext(
                    "A district's or a village's households are shown on the map page; "
                    "the API answers regions down to districts."
                ),
                "region",
            )
        return self.response(200, **geojson(the_map))


def geojson(the_map) -> dict:
    features = []
    for row in the_map.rows:
        found = shapes.shape(row.code)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "value": None if row.value is None else round(row.value, 3),
                    "class": row.klass.number if row.klass else None,
                },
                "geometry": _geometry(found) if found else None,
            }
        )
    return {
        "type": "FeatureCollection",
        "region": the_map.region,
        "level": choropleth.LEVEL_NAMES[the_map.level],
        "indicator": the_map.indicator.name,
        "title": the_map.title,
        "period": the_map.period.code,
        "classes": [
            {
                "class": item.number,
                "lowest": item.lowest,
                "highest": item.highest,
                "colour": item.colour,
                "regions": item.regions,
            }
            for item in the_map.classification.classes
        ],
        "without_shape": [row.code for row in the_map.missing_shapes],
        "features": features,
    }


def _geometry(found) -> dict:
    polygons = [[[list(point) for point in ring] for ring in polygon] for polygon in found.polygons]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}
