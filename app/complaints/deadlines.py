"""The 14-day rule: what the regency has not decided in COMPLAINT_DAYS lapses (Cek Bansos's
rule, COMPLAINT_OVERDUE = "lapse") or is handed to the province and stays open ("escalate").
A daily job of the scheduler applies it; running it twice a day changes nothing more."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import audit, clock
from app.complaints.submitting import OPEN
from app.extensions import db
from models.complaints import Complaint
from models.enums import ComplaintStatus

LAPSE, ESCALATE = "lapse", "escalate"
JOB_KIND = "complaint_deadlines"


def overdue_query(today=None):
    """Open, unmerged submissions whose last day (WIB) is before `today`."""
    today = today or clock.today()
    return sa.select(Complaint).where(
        Complaint.status.in_(OPEN),
        Complaint.merged_into_id.is_(None),
        Complaint.due_at < clock.wib_midnight(today),
    )


def apply(today=None, progress=None) -> dict[str, int]:
    """Lapse or escalate every overdue submission (and those merged into it)."""
    rule = current_app.config["COMPLAINT_OVERDUE"]
    now = clock.utcnow()
    done = {"lapsed": 0, "escalated": 0}
    query = overdue_query(today)
    if rule == ESCALATE:
        query = query.where(Complaint.escalated_at.is_(None))
    for complaint in db.session.scalars(query.order_by(Complaint.id)).all():
        for one in (complaint, *_merged(complaint)):
            if rule == ESCALATE:
                one.escalated_at = now
            else:
                one.status = ComplaintStatus.LAPSED
                one.decided_at = now
                one.decision_reason = gettext(
                    "Not decided within %(days)d days: lapsed.",
                    days=current_app.config["COMPLAINT_DAYS"],
                )
        done["escalated" if rule == ESCALATE else "lapsed"] += 1
    if any(done.values()):
        audit.record("complaint_deadlines", "complaint", None, after={**done, "rule": rule})
    db.session.commit()
    if progress:
        progress(1, 1)
    return done


def _merged(complaint: Complaint) -> list[Complaint]:
    return list(
        db.session.scalars(sa.select(Complaint).where(Complaint.merged_into_id == complaint.id))
    )


def job(_run, progress) -> dict:
    """The scheduler's daily job (app.jobs kind JOB_KIND)."""
    return apply(progress=progress)
