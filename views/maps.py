"""/maps/: the register by region, coloured by an indicator, with the same figures as a table; a
district's or a village's households as points. A door: the map is app/maps/choropleth.py's,
the same the API, Beranda, the activity page and the PDFs draw."""

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from app import codes, statistics
from app.errors import DomainError
from app.extensions import db
from app.maps import choropleth
from app.maps.indicators import INDICATORS
from app.security.scope import NOTHING, current_scope, in_scope
from models import Period, Program, Region
from views.map_links import allowed_indicator, household_link

ARGUMENTS = ("region", "level", "indicator", "period", "program", "decile", "classes")


class MapView(BaseView):
    route_base = "/maps"
    default_view = "index"
    template = "datakesos/map.html"
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self):
        if current_scope() == NOTHING:
            abort(403)
        chosen = {name: (request.args.get(name) or "").strip()[:40] or None for name in ARGUMENTS}
        the_map, problem = None, None
        try:
            with statistics.reused_for(statistics.summary_reuse_seconds()):
                the_map = choropleth.region_map(
                    chosen["region"],
                    chosen["level"],
                    chosen["indicator"],
                    chosen["period"],
                    chosen["program"],
                    chosen["decile"],
                    chosen["classes"],
                    allowed=allowed_indicator,
                )
        except DomainError as error:
            if error.status == 403:
                abort(403)
            problem = error.message
        picture = None
        if the_map is not None:
            picture = choropleth.picture(
                the_map, href=self._link(the_map, chosen), household_href=household_link
            )
        return self.render_template(
            self.template,
            the_map=the_map,
            picture=picture,
            problem=problem,
            chosen=chosen,
            link=self._link(the_map, chosen) if the_map else None,
            up=_up(the_map, chosen) if the_map else [],
            indicators=[item for item in INDICATORS.values() if allowed_indicator(item)],
            periods=db.session.scalars(
                sa.select(Period).order_by(Period.end_date.desc()).limit(24)
            ),
            programs=db.session.scalars(sa.select(Program).order_by(Program.code)).all(),
        )

    @staticmethod
    def _link(the_map, chosen):
        """A sub-region's own map, with the same indicator and period (inside the scope)."""

        def href(code):
            if not code or not in_scope(code):
                return None
            return url_for(
                "MapView.index",
                **{**_kept(chosen), "region": code, "period": the_map.period.code},
            )

        return href


def _kept(chosen: dict) -> dict:
    return {
        name: value
        for name, value in chosen.items()
        if value and name not in ("region", "level", "period")
    }


def _up(the_map, chosen) -> list[tuple[str, str]]:
    """The way back up to the viewer's scope: (name, link) of each enclosing region."""
    scope = current_scope()
    trail, code = [], the_map.region
    while code != scope and code:
        code = codes.ancestor(code, codes.level_of(code) - 1) if codes.level_of(code) > 1 else ""
        if scope and not (code == scope or code.startswith(scope + ".")):
            break
        name = (
            db.session.scalar(sa.select(Region.name).where(Region.code == code)) if code else None
        )
        link = url_for(
            "MapView.index", **{**_kept(chosen), "region": code, "period": the_map.period.code}
        )
        trail.append((name or "Indonesia", link))
    return list(reversed(trail))
