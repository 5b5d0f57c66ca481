"""The regency's queue of submissions: who sees what, the SLA state, and decisions.

Operators and verifiers of the regency see its submissions; a province sees its regencies'
(breaches first); national roles read all. A verifier starts the verification and decides,
always with a reason:
- an upheld sanggah becomes a deactivation proposal of the household, verified by the one who
  decided (the decision is the field check, as a duplicate review's is); the close applies it;
- an upheld usul or desil objection leaves a task to the regency's operators: the new-household
  proposal to make (its form filled from the usul), or the household's data to correct before
  the next close ranks it again. The operator records the task done.
Photos are for the regency's own users (a scope at or below the regency), never wider."""

from __future__ import annotations

import datetime
from enum import Enum

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import clock, codes
from app.complaints.submitting import OPEN
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.proposals.drafting import PENDING
from app.proposals.permissions import VERIFIER_ROLES, NotAllowed
from app.proposals.transactions import require_open_period
from app.security import scope
from app.security.roles import OPERATOR, role_names
from models import Proposal
from models.complaints import Complaint, ComplaintPhoto
from models.enums import (
    ComplaintKind,
    ComplaintStatus,
    DeactivationReason,
    HouseholdStatus,
    ProposalKind,
    ProposalStatus,
)

MIN_REASON = 10


class Sla(Enum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    IN_TIME = "in_time"  # decided by the deadline

    @property
    def label(self) -> str:
        return {
            "on_track": gettext("On track"),
            "at_risk": gettext("At risk"),
            "breached": gettext("Breached"),
            "in_time": gettext("Decided in time"),
        }[self.value]


def sla(complaint: Complaint, now: datetime.datetime | None = None) -> Sla:
    """Where a submission stands against its deadline (`due_at`, a moment)."""
    now = now or clock.utcnow()
    if complaint.status not in OPEN:
        lapsed = complaint.status == ComplaintStatus.LAPSED
        late = complaint.decided_at is None or complaint.decided_at > complaint.due_at
        return Sla.BREACHED if lapsed or late else Sla.IN_TIME
    if now > complaint.due_at or complaint.escalated_at is not None:
        return Sla.BREACHED
    at_risk = datetime.timedelta(days=current_app.config["COMPLAINT_AT_RISK_DAYS"])
    return Sla.AT_RISK if complaint.due_at - now <= at_risk else Sla.ON_TRACK


def visible_condition(user=None):
    """The submissions a user sees: those of regencies inside their scope."""
    user_scope = scope.scope_of(user) if user is not None else None
    return scope.scope_clause(Complaint.regency_code, user_scope)


def find(complaint_id, user) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not scope.in_scope(complaint.regency_code, scope.scope_of(user)):
        raise NotFound(gettext("No such submission."))
    return complaint


def regency_user(user, complaint: Complaint) -> bool:
    """A user of the complaint's regency itself (or one of its districts), not a wider scope."""
    user_scope = scope.scope_of(user)
    return (
        bool(user_scope)
        and user_scope != scope.NOTHING
        and codes.level_of(user_scope) >= 2
        and scope.in_scope(complaint.regency_code, codes.regency_of(user_scope))
    )


def photo(photo_id, user) -> ComplaintPhoto:
    found = db.session.get(ComplaintPhoto, photo_id)
    complaint = db.session.get(Complaint, found.complaint_id) if found else None
    if complaint is None or not regency_user(user, complaint):
        raise NotFound(gettext("No such photo."))
    return found


def photos_of(complaint: Complaint) -> list[ComplaintPhoto]:
    """Its own photos and those of the submissions merged into it."""
    return list(
        db.session.scalars(
            sa.select(ComplaintPhoto)
            .join(Complaint, Complaint.id == ComplaintPhoto.complaint_id)
            .where(sa.or_(Complaint.id == complaint.id, Complaint.merged_into_id == complaint.id))
            .order_by(ComplaintPhoto.id)
        )
    )


def merged_into(complaint: Complaint) -> list[Complaint]:
    return list(
        db.session.scalars(
            sa.select(Complaint)
            .where(Complaint.merged_into_id == complaint.id)
            .order_by(Complaint.id)
        )
    )


def may_decide(user, complaint: Complaint) -> bool:
    return (
        bool(role_names(user) & VERIFIER_ROLES)
        and regency_user(user, complaint)
        and complaint.merged_into_id is None
        and complaint.status in OPEN
    )


def _require_decider(user, complaint: Complaint) -> None:
    if not bool(role_names(user) & VERIFIER_ROLES) or not regency_user(user, complaint):
        raise NotAllowed(gettext("Only a verifier of the submission's regency decides it."))
    if complaint.merged_into_id is not None:
        raise Conflict(gettext("This submission was merged into another: decide that one."))
    if complaint.status not in OPEN:
        raise Conflict(gettext("This submission has already been decided."))


def start_verification(complaint: Complaint, user) -> Complaint:
    _require_decider(user, complaint)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise Conflict(gettext("The verification of this submission has already started."))
    for one in (complaint, *merged_into(complaint)):
        one.status = ComplaintStatus.IN_VERIFICATION
    db.session.commit()
    return complaint


def decide(complaint: Complaint, user, upheld: bool, reason: str | None) -> Complaint:
    """Uphold or reject with a written reason; merged submissions share the decision."""
    _require_decider(user, complaint)
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON:
        raise ValidationError(
            gettext(
                "Give the reason for the decision (at least %(count)d characters).",
                count=MIN_REASON,
            ),
            "decision_reason",
        )
    now = clock.utcnow()
    if upheld and complaint.kind == ComplaintKind.OBJECTION:
        complaint.proposal_id = _deactivation(complaint, user, text, now).id
    for one in (complaint, *merged_into(complaint)):
        one.status = ComplaintStatus.UPHELD if upheld else ComplaintStatus.REJECTED
        one.decided_at = now
        one.decided_by_id = user.id
        one.decision_reason = text
    db.session.commit()
    return complaint


def _deactivation(complaint: Complaint, user, reason: str, now) -> Proposal:
    """The household's pending deactivation, or a new one verified by the decider."""
    period = require_open_period(lock=True)
    household = complaint.household
    if household is None or household.status != HouseholdStatus.ACTIVE:
        raise Conflict(
            gettext("The household is no longer in the register: reject the objection instead.")
        )
    pending = db.session.scalar(
        sa.select(Proposal).where(
            Proposal.kind == ProposalKind.DEACTIVATE_HOUSEHOLD,
            Proposal.household_id == household.id,
            Proposal.status.in_(PENDING),
        )
    )
    if pending is not None:
        return pending
    proposal = Proposal(
        kind=ProposalKind.DEACTIVATE_HOUSEHOLD,
        status=ProposalStatus.VERIFIED,
        period_id=period.id,
        regency_code=complaint.regency_code,
        household_id=household.id,
        reason=DeactivationReason.OBJECTION,
        note=gettext("Objection %(code)s: %(reason)s", code=complaint.code, reason=reason),
        proposed_by_id=user.id,
        submitted_at=now,
        verified_by_id=user.id,
        verified_at=now,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def has_open_task(complaint: Complaint) -> bool:
    return (
        complaint.status == ComplaintStatus.UPHELD
        and complaint.merged_into_id is None
        and complaint.kind in (ComplaintKind.PROPOSAL, ComplaintKind.DECILE)
        and complaint.task_done_at is None
    )


def may_finish_task(user, complaint: Complaint) -> bool:
    return (
        OPERATOR in role_names(user) and regency_user(user, complaint) and has_open_task(complaint)
    )


def finish_task(complaint: Complaint, user, proposal_id=None) -> Complaint:
    """The operator made the usul's proposal, or corrected the household of the objection."""
    if OPERATOR not in role_names(user) or not regency_user(user, complaint):
        raise NotAllowed(gettext("Only an operator of the submission's regency does its task."))
    if not has_open_task(complaint):
        raise Conflict(gettext("This submission has no task left to do."))
    complaint.task_done_at = clock.utcnow()
    complaint.task_done_by_id = user.id
    if proposal_id is not None:
        complaint.proposal_id = proposal_id
    db.session.commit()
    return complaint


# -- the work lists (Beranda's counts and the queue's "work" filter are the same) ----------
def awaiting_decision():
    return sa.and_(Complaint.status.in_(OPEN), Complaint.merged_into_id.is_(None))


def past_deadline():
    return sa.and_(awaiting_decision(), Complaint.due_at < clock.utcnow())


def task_waiting():
    """Upheld usul and desil objections whose operator's task is not done."""
    return sa.and_(
        Complaint.status == ComplaintStatus.UPHELD,
        Complaint.merged_into_id.is_(None),
        Complaint.kind.in_((ComplaintKind.PROPOSAL, ComplaintKind.DECILE)),
        Complaint.task_done_at.is_(None),
    )


WORK = {"open": awaiting_decision, "breached": past_deadline, "task": task_waiting}


def count(condition, region_scope: str) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Complaint)
            .where(condition, scope.scope_clause(Complaint.regency_code, region_scope))
        )
        or 0
    )
