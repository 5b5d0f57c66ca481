"""Minutes of a period close (Berita Acara Penetapan): national and per-province totals,
corrections and new proposals, program recipients and the share of active regency offices,
read from what the close wrote (PeriodRecap, PeriodRecapProgram, DistrictActivity). They are
issued by the ministry unit that determines the register (app.offices.ministry_letterhead,
config MINISTRY_ISSUER), on its letterhead, for its head to sign.

The close (in the scheduler process) keeps the national minutes as a ReportFile with
`store_minutes`, or by queueing the `period_minutes` job; the console serves that file to
national users and prints a region's own minutes for a province user on request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import format_date, gettext, to_user_timezone

from app import offices
from app.clock import utcnow
from app.extensions import db
from app.security.scope import scope_clause
from models import DistrictActivity, Period, PeriodRecap, PeriodRecapProgram, Program, Region
from models.certificates import ReportFile
from models.enums import PeriodStatus
from reports import renderer
from reports.certificates import period_label
from reports.map_image import map_image

TEMPLATE = "minutes.html"
KIND = "period_minutes"


class NotClosed(Exception):
    """The period has no minutes yet: it is not closed."""


@dataclass
class Minutes:
    period: Period
    scope: str
    region: Region | None
    national: PeriodRecap | None
    provinces: list  # (PeriodRecap, name)
    programs: list  # (code, name, recipients)
    districts: list  # (DistrictActivity, regency name, province name)
    active: int
    total_regencies: int


def build(period: Period, scope: str = "") -> Minutes:
    if period.status != PeriodStatus.CLOSED:
        raise NotClosed(period.code)
    national = db.session.get(PeriodRecap, (period.id, "")) if not scope else None
    provinces = db.session.execute(
        sa.select(PeriodRecap, Region.name)
        .outerjoin(Region, Region.code == PeriodRecap.region_code)
        .where(
            PeriodRecap.period_id == period.id,
            PeriodRecap.level == 1,
            scope_clause(PeriodRecap.region_code, scope),
        )
        .order_by(PeriodRecap.region_code)
    ).all()
    recap_region = scope if scope else ""
    programs = db.session.execute(
        sa.select(Program.code, Program.name, PeriodRecapProgram.recipients)
        .join(Program, Program.id == PeriodRecapProgram.program_id)
        .where(
            PeriodRecapProgram.period_id == period.id,
            PeriodRecapProgram.region_code == recap_region,
        )
        .order_by(Program.code)
    ).all()
    regency = sa.orm.aliased(Region)
    province = sa.orm.aliased(Region)
    districts = db.session.execute(
        sa.select(DistrictActivity, regency.name, province.name)
        .outerjoin(regency, regency.code == DistrictActivity.regency_code)
        .outerjoin(province, province.code == DistrictActivity.province_code)
        .where(
            DistrictActivity.period_id == period.id,
            scope_clause(DistrictActivity.regency_code, scope),
        )
        .order_by(DistrictActivity.regency_code)
    ).all()
    active = sum(1 for activity, _regency, _province in districts if activity.active)
    region = db.session.get(Region, scope) if scope else None
    return Minutes(
        period, scope, region, national, provinces, programs, districts, active, len(districts)
    )


def closing_words(moment: datetime.datetime) -> dict:
    """The close's date as minutes state it: weekday, and day, month and year in words."""
    from lokal import terbilang

    local = to_user_timezone(moment)
    return {
        "weekday": format_date(local, "EEEE"),
        "day": terbilang(local.day),
        "month": format_date(local, "MMMM"),
        "year": terbilang(local.year),
        "date": format_date(local, "dd-MM-y"),
        "time": local.strftime("%H.%M"),
    }


@renderer.in_document_locale
def render(minutes: Minutes, printed_by: str) -> bytes:
    closed_at = minutes.period.closed_at or utcnow()
    # Issued by the ministry unit that determines the register, not by the software.
    issuer = offices.ministry_letterhead()
    context = {
        **renderer.page_context(printed_by),
        "office_name": issuer.name,
        "letterhead": issuer,
        "signatory": {"title": issuer.signatory_title, "name": None, "rank": None, "nip": None},
        "title": gettext("Minutes of the period close"),
        "minutes": minutes,
        "period": minutes.period,
        "period_label": period_label(minutes.period),
        "words": closing_words(closed_at),
        "closed_at": closed_at,
        "region_name": minutes.region.name if minutes.region else None,
        "total_programs": sum(recipients for _code, _name, recipients in minutes.programs),
        "region_map": map_image(minutes.scope, "active_regencies", minutes.period.code),
    }
    return renderer.render_pdf(TEMPLATE, context)


def stored(period: Period) -> ReportFile | None:
    """The national minutes kept by the close, if any (the latest)."""
    return db.session.scalar(
        sa.select(ReportFile)
        .where(
            ReportFile.kind == KIND,
            ReportFile.period_id == period.id,
            ReportFile.region_code.is_(None),
        )
        .order_by(ReportFile.id.desc())
        .limit(1)
    )


def store_minutes(period: Period, job_run_id: int | None = None) -> ReportFile:
    """Print the national minutes and keep them (added to the session; the caller commits).
    For the period close, which runs in the scheduler process."""
    pdf = render(build(period, ""), printed_by=gettext("system"))
    report = ReportFile(
        job_run_id=job_run_id,
        kind=KIND,
        region_code=None,
        period_id=period.id,
        filename=filename(period),
        media_type="application/pdf",
        size=len(pdf),
        content=pdf,
    )
    db.session.add(report)
    return report


def filename(period: Period, scope: str = "") -> str:
    region = f"-{scope.replace('.', '')}" if scope else ""
    return f"berita-acara-penetapan-{period.code}{region}.pdf"
