"""How the regencies answer their residents: per regency, submissions received, decided in
time and breached (open past the deadline, lapsed, or decided late), over a span of days."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa

from app import clock
from app.complaints.submitting import OPEN
from app.extensions import db
from app.security import scope
from models import Region
from models.complaints import Complaint
from models.enums import ComplaintStatus


@dataclass(frozen=True)
class Counts:
    regency_code: str
    name: str
    received: int
    decided_in_time: int
    breached: int
    open: int


def _breached(now):
    return sa.or_(
        sa.and_(Complaint.status.in_(OPEN), Complaint.due_at < now),
        Complaint.status == ComplaintStatus.LAPSED,
        sa.and_(Complaint.decided_at.is_not(None), Complaint.decided_at > Complaint.due_at),
    )


def by_regency(
    region_scope: str = "",
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
) -> list[Counts]:
    """Per regency under `region_scope`, the submissions received between the two WIB days
    (inclusive; None: no bound). Merged repeats are counted once, with what they joined."""
    now = clock.utcnow()
    query = (
        sa.select(
            Complaint.regency_code,
            Region.name,
            sa.func.count(),
            sa.func.count().filter(
                Complaint.status.not_in(OPEN),
                Complaint.status != ComplaintStatus.LAPSED,
                Complaint.decided_at <= Complaint.due_at,
            ),
            sa.func.count().filter(_breached(now)),
            sa.func.count().filter(Complaint.status.in_(OPEN)),
        )
        .select_from(Complaint)
        .join(Region, Region.code == Complaint.regency_code)
        .where(
            Complaint.merged_into_id.is_(None),
            scope.scope_clause(Complaint.regency_code, region_scope),
        )
        .group_by(Complaint.regency_code, Region.name)
        .order_by(Complaint.regency_code)
    )
    if first_day is not None:
        query = query.where(Complaint.received_at >= clock.wib_midnight(first_day))
    if last_day is not None:
        query = query.where(
            Complaint.received_at < clock.wib_midnight(last_day + datetime.timedelta(days=1))
        )
    return [Counts(*row) for row in db.session.execute(query)]


def total(rows: list[Counts]) -> Counts:
    return Counts(
        "",
        "",
        sum(row.received for row in rows),
        sum(row.decided_in_time for row in rows),
        sum(row.breached for row in rows),
        sum(row.open for row in rows),
    )
