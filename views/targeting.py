"""Ketepatan sasaran: for a region and a closed period, who each program's rule makes eligible,
who receives it, the inclusion and exclusion errors by decile and sub-region, and how programs
overlap. A door: the counts are app/ranking/targeting.py's, the same the recap and the API give."""

import sqlalchemy as sa
from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access

from app.errors import DomainError
from app.extensions import db
from app.ranking import targeting
from app.security.scope import NOTHING, current_scope
from models import Period, Program
from models.enums import PeriodStatus


class TargetingView(BaseView):
    route_base = "/targeting"
    default_view = "index"
    template = "datakesos/targeting.html"
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self):
        if current_scope() == NOTHING:
            abort(403)
        args = {name: request.args.get(name) or None for name in ("region", "program", "period")}
        periods = db.session.scalars(
            sa.select(Period)
            .where(Period.status == PeriodStatus.CLOSED)
            .order_by(Period.end_date.desc())
            .limit(24)
        ).all()
        programs = db.session.scalars(sa.select(Program).order_by(Program.code)).all()
        figures, problem = None, None
        try:
            figures = targeting.targeting(**args)
        except DomainError as error:
            if error.status == 403:
                abort(403)
            problem = error.message
        return self.render_template(
            self.template,
            figures=figures,
            problem=problem,
            periods=periods,
            programs=programs,
            chosen=args,
        )
