"""Beranda: the signed-in user's figures and charts, within their region scope."""
from flask import redirect, send_file, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import gettext
from flask_login import current_user

from app import charts, statistics
from app.reference import open_period
from app.scope import NOTHING, current_scope


class DashboardIndexView(IndexView):
    """The home page ("/"): anonymous visitors go to the login page."""

    index_template = "datakesos/dashboard.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        self.update_redirect()
        scope = current_scope()
        period = open_period()
        return self.render_template(
            self.index_template,
            scope=scope,
            scope_name=_scope_label(scope),
            period_code=period.code if period else None,
            totals=statistics.totals(scope),
            charts=charts.dashboard_charts(scope),
        )

    @expose("/charts/pygal-tooltips.js")
    def tooltips_js(self):
        """The chart tooltips script from the pinned pygaljs package, served by the app itself
        so the dashboard needs no CDN."""
        return send_file(charts.TOOLTIPS_JS, mimetype="text/javascript", max_age=86400)


def _scope_label(scope: str) -> str:
    if scope == NOTHING:
        return gettext("No region assigned")
    if not scope:
        return gettext("National")
    name = statistics.scope_name(scope)
    return f"{name} ({scope})" if name else scope
