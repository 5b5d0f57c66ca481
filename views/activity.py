"""District activity (keaktifan kabupaten/kota): for each period and regency, the corrections
and new proposals its office made, when it last did, and whether it was active; the active
share per province and nationally; charts across periods. Provinsi sees its own province (the
region scope), Pusdatin, Pengawas and Admin every one."""

import sqlalchemy as sa
from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access

from app.complaints import counts as complaint_counts
from app.extensions import db
from app.security.scope import NOTHING, current_scope
from app.statistics import activity
from models import Period, Region
from models.enums import PeriodStatus
from views.map_links import embedded_map


class ActivityView(BaseView):
    route_base = "/activity"
    default_view = "index"
    template = "datakesos/activity.html"
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        if scope == NOTHING:
            abort(403)
        periods = db.session.scalars(
            sa.select(Period).order_by(Period.code.desc()).limit(activity.HISTORY_PERIODS * 2)
        ).all()
        period = _chosen(periods, request.args.get("period"))
        provinces = []
        province = ""
        if not scope:  # national: the regency table can be narrowed to one province
            provinces = db.session.execute(
                sa.select(Region.code, Region.name).where(Region.level == 1).order_by(Region.code)
            ).all()
            province = request.args.get("province", "")
            if province and province not in {code for code, _name in provinces}:
                abort(404)
        figures = activity.period_activity(period, scope) if period else None
        open_period = next((p for p in periods if p.status == PeriodStatus.OPEN), None)
        open_figures = (
            figures
            if figures is not None and figures.live
            else (activity.period_activity(open_period, scope) if open_period else None)
        )
        points = activity.history(scope, open_figures)
        regencies = figures.regencies if figures else []
        if province:
            regencies = [row for row in regencies if row.province_code == province]
        return self.render_template(
            self.template,
            scope=scope,
            scope_name=_scope_name(scope),
            periods=periods,
            period=period,
            figures=figures,
            regencies=regencies,
            provinces=provinces,
            province=province,
            charts={"share": activity.share_chart(points), "work": activity.work_chart(points)}
            if points
            else {},
            region_map=embedded_map("active_regencies", period.code) if period else None,
            complaints={
                row.regency_code: row
                for row in complaint_counts.by_regency(scope, period.start_date, period.end_date)
            }
            if period
            else {},
        )


def _chosen(periods, code):
    if code:
        period = next((p for p in periods if p.code == code), None)
        if period is None:
            period = db.session.scalar(sa.select(Period).where(Period.code == code))
        if period is None:
            abort(404)
        return period
    return next(
        (p for p in periods if p.status == PeriodStatus.OPEN), periods[0] if periods else None
    )


def _scope_name(scope: str):
    if not scope:
        return None
    return db.session.scalar(sa.select(Region.name).where(Region.code == scope))
