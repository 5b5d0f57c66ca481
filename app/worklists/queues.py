"""The work items of a user, by role: plain counts computed with the same conditions as the
lists Beranda links them to (app.worklists)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import sqlalchemy as sa

from app import clock
from app.complaints import deciding as complaints
from app.duplicates import review
from app.extensions import db
from app.periods import close_summary
from app.proposals import visible_condition
from app.register.reference import open_period
from app.security.roles import (
    ADMIN,
    OPERATOR,
    PENGAWAS,
    PROVINSI,
    PUSDATIN,
    VERIFIKATOR,
    role_names,
)
from app.security.scope import NOTHING, scope_condition
from app.statistics import activity
from models import Household, Proposal
from models.enums import ProposalStatus

#: How many rejected proposals (with their reasons) and inactive regencies an item names.
NAMED = 5


@dataclass(frozen=True)
class WorkItem:
    """One line of the work queue. `key` names what it counts (the door links it to the list
    of exactly those rows); `count` is None for a pointer without a number."""

    key: str
    count: int | None = None
    details: tuple = ()
    figures: dict = field(default_factory=dict)


def work_items(user, scope: str) -> list[WorkItem]:
    """The work queue of `user` (whose region scope is `scope`), in the order of their roles'
    work: verification, proposing, province monitoring, the close, oversight."""
    if scope == NOTHING:
        return []
    roles = role_names(user)
    items: list[WorkItem] = []
    if VERIFIKATOR in roles:
        items.append(waiting_for_verification(user, scope))
        items.append(residents_waiting(scope))
    if OPERATOR in roles:
        items.extend(proposer_items(user, scope))
        items.append(
            WorkItem("complaint_tasks", complaints.count(complaints.task_waiting(), scope))
        )
    if PROVINSI in roles:
        items.append(inactive_regencies(scope))
        items.append(
            WorkItem("complaints_breached", complaints.count(complaints.past_deadline(), scope))
        )
    if roles & {PUSDATIN, ADMIN}:
        items.append(close_readiness())
    if roles & {PENGAWAS, ADMIN}:
        items.append(WorkItem("audit"))
    return items


# -- proposals ---------------------------------------------------------------------------------
def _proposals(user, scope: str, status: ProposalStatus):
    """The conditions of the proposal list for `user`, narrowed to one status."""
    return sa.and_(
        scope_condition(Proposal, "household", scope),
        visible_condition(user),
        Proposal.status == status,
    )


def _count(condition) -> int:
    return int(db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(condition)) or 0)


def waiting_for_verification(user, scope: str) -> WorkItem:
    """Submitted proposals of the verifier's region: how many, how many carry the proposer's
    warnings, and the days the oldest has waited."""
    waiting = _proposals(user, scope, ProposalStatus.SUBMITTED)
    count, warned, oldest = db.session.execute(
        sa.select(
            sa.func.count(Proposal.id),
            sa.func.count(Proposal.warnings),  # counts the rows whose warnings are not NULL
            sa.func.min(Proposal.submitted_at),
        ).where(waiting)
    ).one()
    return WorkItem(
        "submitted",
        int(count or 0),
        figures={"with_warnings": int(warned or 0), "oldest_days": _days_since(oldest)},
    )


def residents_waiting(scope: str) -> WorkItem:
    """Residents' submissions awaiting the regency's decision, and how many are past due."""
    return WorkItem(
        "complaints",
        complaints.count(complaints.awaiting_decision(), scope),
        figures={"breached": complaints.count(complaints.past_deadline(), scope)},
    )


def _days_since(moment) -> int | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands back text from an aggregate
        moment = datetime.datetime.fromisoformat(moment)
    return max(0, (clock.utcnow() - moment).days)


def proposer_items(user, scope: str) -> list[WorkItem]:
    """An operator's drafts not yet submitted, the rejected proposals to correct (the latest
    with the verifier's reasons), and the open duplicate candidates of their region."""
    rejected = _proposals(user, scope, ProposalStatus.REJECTED)
    latest = db.session.execute(
        sa.select(Proposal.id, Household.register_id, Proposal.rejection_reason)
        .join(Household, Household.id == Proposal.household_id)
        .where(rejected)
        .order_by(Proposal.verified_at.desc(), Proposal.id.desc())
        .limit(NAMED)
    ).all()
    drafts = sa.and_(
        _proposals(user, scope, ProposalStatus.DRAFT), Proposal.proposed_by_id == user.id
    )
    duplicates = sum(
        likely + possible for _c, _n, likely, possible in review.open_by_regency(scope)
    )
    return [
        WorkItem("drafts", _count(drafts)),
        WorkItem("rejected", _count(rejected), details=tuple(tuple(row) for row in latest)),
        WorkItem("duplicates", duplicates),
    ]


# -- the period --------------------------------------------------------------------------------
def inactive_regencies(scope: str) -> WorkItem:
    """The regencies of the scope with neither a correction nor a proposal in the open period
    (app.statistics.activity, as the activity page lists them)."""
    period = open_period()
    if period is None:
        return WorkItem("inactive_regencies")
    regencies = activity.period_activity(period, scope).regencies
    inactive = [row for row in regencies if not row.active]
    return WorkItem(
        "inactive_regencies",
        len(inactive),
        details=tuple(row.name for row in inactive[:NAMED]),
        figures={"total": len(regencies), "period": period.code},
    )


def close_readiness() -> WorkItem:
    """Whether the open period can be closed today and what still waits, from the close's own
    summary (app.periods.close_summary)."""
    period = open_period()
    if period is None:
        return WorkItem("close_readiness")
    summary = close_summary(period)
    return WorkItem(
        "close_readiness",
        summary.proposals.get(ProposalStatus.SUBMITTED, 0),
        figures={
            "period": period.code,
            "end_date": period.end_date,
            "refusal": summary.refusal(),
            "early": summary.early,
            "active_regencies": summary.active_regencies,
            "total_regencies": summary.total_regencies,
            "verified": summary.proposals.get(ProposalStatus.VERIFIED, 0),
        },
    )
