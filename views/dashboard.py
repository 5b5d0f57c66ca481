"""Beranda: the signed-in user's figures and charts, within their region scope."""

from flask import current_app, redirect, send_file, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import gettext
from flask_login import current_user

from app import statistics, worklists
from app.complaints import counts as complaint_counts
from app.duplicates import review
from app.register.reference import open_period
from app.security import guessing
from app.security.scope import NOTHING, current_scope
from app.statistics import charts
from views import errors
from views.map_links import embedded_map


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
        with statistics.reused_for(statistics.summary_reuse_seconds()):
            totals = statistics.totals(scope)
            figures = charts.dashboard_charts(scope)
            region_map = embedded_map("households", period.code if period else None)
        return self.render_template(
            self.index_template,
            scope=scope,
            scope_name=_scope_label(scope),
            period_code=period.code if period else None,
            totals=totals,
            charts=figures,
            suspended_lookups=_suspended_lookups(),
            duplicates=_open_duplicates(scope),
            region_map=region_map,
            work_items=_work_items(scope),
            complaints=_complaints(scope, period),
            register_link=url_for("HouseholdView.list", _flt_0_status="ACTIVE"),
        )

    @expose("/charts/pygal-tooltips.js")
    def tooltips_js(self):
        """The chart tooltips script from the pinned pygaljs package, served by the app itself
        so the dashboard needs no CDN."""
        return send_file(charts.TOOLTIPS_JS, mimetype="text/javascript", max_age=86400)


def install(app, appbuilder) -> None:
    """What every page of the console has (called by create_app): our error pages and the
    navigation bar's office logo."""
    errors.register(app, appbuilder)
    app.context_processor(_brand)


def _brand() -> dict:
    """The office logo of the navigation bar: OFFICE_LOGO when configured (the same file the
    printed documents carry, as a data: URI the CSP allows), else none (the product mark)."""
    if not current_app.config.get("OFFICE_LOGO"):
        return {"office_logo_uri": None}
    from reports.renderer import logo_uri

    return {"office_logo_uri": logo_uri()}


def _suspended_lookups() -> int | None:
    """For those who lift suspensions (Admin, Pusdatin): how many callers' lookups are
    suspended for looking like guessing (app.security.lookups); None for everyone else."""
    if not current_app.appbuilder.sm.has_access("can_list", "LookupSuspensionView"):
        return None
    return len(guessing.suspended_users())


def _open_duplicates(scope: str) -> list | None:
    """For those who read the duplicate queue: its open candidates by regency (None: no
    queue for this user)."""
    if not current_app.appbuilder.sm.has_access("can_list", "DuplicateView"):
        return None
    return review.open_by_regency(scope)


#: Beranda names at most this many regencies' submission counts (the activity page has all).
COMPLAINT_ROWS = 10


def _complaints(scope: str, period) -> list:
    """The counts of the residents' submissions received in the open period, the
    regencies past their deadlines first; for whoever reads the queue."""
    if period is None or not current_app.appbuilder.sm.has_access("can_list", "ComplaintView"):
        return []
    rows = complaint_counts.by_regency(scope, period.start_date, period.end_date)
    rows = sorted(rows, key=lambda row: (-row.breached, -row.received, row.regency_code))
    return rows[:COMPLAINT_ROWS]


#: Where each work item leads: (endpoint, view that must be readable, list arguments). The
#: counts of app.worklists are those of exactly these lists.
WORK_LINKS = {
    "submitted": ("ProposalView.list", "ProposalView", {"_flt_0_status": "SUBMITTED"}),
    "drafts": ("ProposalView.list", "ProposalView", {"_flt_0_status": "DRAFT"}),
    "rejected": ("ProposalView.list", "ProposalView", {"_flt_0_status": "REJECTED"}),
    "duplicates": ("DuplicateView.list", "DuplicateView", {"_flt_0_status": "OPEN"}),
    "inactive_regencies": ("ActivityView.index", "ActivityView", {}),
    "close_readiness": ("PeriodCloseView.index", "PeriodCloseView", {}),
    "audit": ("AuditView.list", "AuditView", {}),
    "complaints": ("ComplaintView.list", "ComplaintView", {"_flt_0_work": "open"}),
    "complaints_breached": ("ComplaintView.list", "ComplaintView", {"_flt_0_work": "breached"}),
    "complaint_tasks": ("ComplaintView.list", "ComplaintView", {"_flt_0_work": "task"}),
}


def _work_items(scope: str) -> list[tuple]:
    """(item, link or None) of the user's work queue; an item whose list the user cannot
    open is left out (a number without its rows is no work queue)."""
    sm = current_app.appbuilder.sm
    shown = []
    for item in worklists.work_items(sm.current_user, scope):
        endpoint, view, arguments = WORK_LINKS[item.key]
        if not sm.has_access("can_list", view):
            continue
        shown.append((item, url_for(endpoint, **arguments)))
    return shown


def _scope_label(scope: str) -> str:
    if scope == NOTHING:
        return gettext("No region assigned")
    if not scope:
        return gettext("National")
    name = statistics.scope_name(scope)
    return f"{name} ({scope})" if name else scope
