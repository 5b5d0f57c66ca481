from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext

from app.register import regions
from models import Region
from views.base import RegisterModelView

SEARCH_LIMIT = 20


class RegionView(RegisterModelView):
    route_base = "/regions"
    datamodel = SQLAInterface(Region)
    base_permissions = ["can_list", "can_show"]
    list_title = lazy_gettext("Regions")
    show_title = lazy_gettext("Region")
    list_columns = ["code", "name", "kind", "parent"]
    show_columns = ["code", "name", "level", "kind", "parent"]
    search_columns = ["code", "name", "level"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    label_columns = {
        "code": lazy_gettext("Code"),
        "name": lazy_gettext("Name"),
        "level": lazy_gettext("Level"),
        "kind": lazy_gettext("Kind"),
        "parent": lazy_gettext("Part of"),
    }


class RegionSearchView(BaseView):
    """JSON for search selects: at most one page of matching regions."""

    route_base = "/regions/picker"
    default_view = "search"

    @expose("/search")
    @has_access
    @permission_name("list")
    def search(self):
        level = request.args.get("level", type=int)
        if level not in (1, 2, 3, 4):
            level = None
        term = request.args.get("q", "")[:100]
        found = regions.search(
            term, level=level, under=request.args.get("under", "")[:13], limit=SEARCH_LIMIT
        )
        return jsonify(
            results=[
                {"id": region.code, "text": f"{region.name} ({region.code})"} for region in found
            ]
        )
