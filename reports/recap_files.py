"""A closed period's region recaps, printed once and kept.

A closed period's figures come from its snapshot, which no longer changes, so its recap is one
document: printed by the system the first time anyone asks — or beforehand, by the job the
close queues (RECAPS_KIND) for its regencies, provinces and the nation — and handed out as it
is from then on (seconds of WeasyPrint saved on every later download). The open period's recap
is provisional and printed afresh each time, for whoever asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app import codes, jobs
from app.extensions import db
from app.periods import RECAPS_KIND
from models import Period, PeriodSnapshot
from models.certificates import ReportFile
from models.enums import PeriodStatus
from reports import recaps

KIND = "region_recap"
NATIONAL = ""

__all__ = ["KIND", "RECAPS_KIND", "RecapFile", "print_closed_recaps", "recap_file"]


@dataclass(frozen=True)
class RecapFile:
    content: bytes
    filename: str
    provisional: bool


def _stored(scope: str, period: Period) -> ReportFile | None:
    region = (
        ReportFile.region_code.is_(None) if scope == NATIONAL else (ReportFile.region_code == scope)
    )
    return db.session.scalar(
        sa.select(ReportFile)
        .where(ReportFile.kind == KIND, ReportFile.period_id == period.id, region)
        .order_by(ReportFile.id)
        .limit(1)
    )


def _print_and_keep(scope: str, period: Period) -> ReportFile:
    recap = recaps.build(scope, period)
    pdf = recaps.render(recap, gettext("system"))
    report = ReportFile(
        kind=KIND,
        region_code=scope or None,
        period_id=period.id,
        filename=recaps.filename(recap),
        media_type="application/pdf",
        size=len(pdf),
        content=pdf,
    )
    db.session.add(report)
    db.session.commit()
    return report


def recap_file(scope: str, period: Period, printed_by: str) -> RecapFile:
    """The recap of `scope` ("" national) for `period`: kept once its period is closed."""
    if period.status != PeriodStatus.CLOSED:
        recap = recaps.build(scope, period)
        return RecapFile(recaps.render(recap, printed_by), recaps.filename(recap), True)
    report = _stored(scope, period) or _print_and_keep(scope, period)
    return RecapFile(report.content, report.filename, False)


def _scopes_of(period: Period) -> list[str]:
    """Every regency with determined households in the period, their provinces, the nation:
    the most asked for and quickest first (a stopping scheduler waits for one of them only)."""
    regencies = db.session.scalars(
        sa.select(sa.func.substr(PeriodSnapshot.village_code, 1, 5))
        .where(PeriodSnapshot.period_id == period.id)
        .distinct()
    ).all()
    provinces = sorted({codes.ancestor(code, 1) for code in regencies})
    return [*sorted(regencies), *provinces, NATIONAL]


def print_closed_recaps(run, progress: Callable) -> dict:
    """The job the close queues: every recap of the closed period printed and kept, those
    already kept skipped (so a run cut short resumes where it stopped)."""
    period = db.session.get(Period, (run.params or {}).get("period_id"))
    if period is None or period.status != PeriodStatus.CLOSED:
        return {"printed": 0, "kept": 0}
    scopes = _scopes_of(period)
    printed = kept = 0
    for index, scope in enumerate(scopes):
        if jobs.STOPPING.is_set():
            jobs.enqueue(RECAPS_KIND, {"period_id": period.id}, run.requested_by_id)
            break
        with force_locale("id"):
            progress(
                index,
                total=len(scopes),
                message=gettext(
                    "Printing the recaps of %(period)s: %(done)s of %(total)s",
                    period=period.code,
                    done=index,
                    total=len(scopes),
                ),
            )
        if _stored(scope, period) is None:
            _print_and_keep(scope, period)
            printed += 1
        else:
            kept += 1
    progress(len(scopes), total=len(scopes))
    return {"printed": printed, "kept": kept, "period": period.code}
