"""Whether a period may be closed today, and what its close would determine.

- `check_close(period, early_reason, scheduled)`: the guards every close passes, whatever door
  asked for it (console, command line, schedule, job): never a period that has not begun (today
  before its first day); before its last day only as an explicit early close with a reason of at
  least `minimum_reason_length()` characters. A scheduled close is Pusdatin's own standing
  decision (the schedule's day is 1–28, so it usually fires before the month ends): it needs no
  reason, and is recorded as early when it is.
- `close_summary(period)`: what the console shows before Pusdatin confirms a close — the period,
  its active regencies out of all of them (app.statistics.activity, counted live) and its
  proposals by state.

"Today" is app.clock.today(), the date in WIB.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import clock, formatting
from app.errors import DomainError, ValidationError
from app.extensions import db
from app.statistics import activity
from models import Proposal
from models.enums import ProposalStatus

#: Setting: the fewest characters (after trimming) the reason of an early close may have.
MIN_REASON_SETTING = "PERIOD_CLOSE_EARLY_REASON_MIN_LENGTH"
DEFAULT_MIN_REASON = 10
#: The form field (and the ValidationError's field) of the reason.
REASON_FIELD = "early_reason"
#: The proposal states the summary lists, in the order a verifier thinks of them (APPLIED
#: cannot occur in an open period: the close is what applies).
SUMMARY_STATES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.VERIFIED,
    ProposalStatus.REJECTED,
    ProposalStatus.DRAFT,
)


def minimum_reason_length() -> int:
    return int(current_app.config.get(MIN_REASON_SETTING, DEFAULT_MIN_REASON))


def is_early(period, today: datetime.date | None = None) -> bool:
    """A close before the period's last day is early; on its last day or later it is not."""
    return (today or clock.today()) < period.end_date


@dataclass(frozen=True)
class CloseTerms:
    """On what terms a close was allowed: what the job carries and the audit trail keeps."""

    early: bool
    reason: str | None = None
    scheduled: bool = False

    def job_params(self) -> dict:
        """What the queued job needs to pass the same guards when it runs (only for an early
        close: a close on time needs nothing)."""
        if not self.early:
            return {}
        if self.scheduled:
            return {"scheduled": True}
        return {REASON_FIELD: self.reason}

    def audit(self) -> dict:
        values = {"early": self.early, "scheduled": self.scheduled}
        if self.early and self.reason:
            values[REASON_FIELD] = self.reason
        return values


def refuse_unstarted(period, today: datetime.date | None = None) -> None:
    today = today or clock.today()
    if today < period.start_date:
        raise DomainError(
            gettext(
                "Period %(code)s has not started yet (it starts on %(start)s); a period is never "
                "closed before its first day.",
                code=period.code,
                start=formatting.date(period.start_date),
            )
        )


def check_close(
    period,
    early_reason: str | None = None,
    *,
    scheduled: bool = False,
    today: datetime.date | None = None,
) -> CloseTerms:
    """Refuse a close of `period` today unless it has begun and, before its last day, unless
    it is scheduled or carries a reason long enough. Returns the terms it is allowed on."""
    today = today or clock.today()
    refuse_unstarted(period, today)
    if not is_early(period, today):
        return CloseTerms(early=False, scheduled=scheduled)
    if scheduled:
        return CloseTerms(early=True, scheduled=True)
    reason = (early_reason or "").strip()
    minimum = minimum_reason_length()
    if len(reason) < minimum:
        raise ValidationError(
            gettext(
                "Period %(code)s runs until %(end)s: closing it before then is an early close "
                "and needs a reason of at least %(minimum)s characters.",
                code=period.code,
                end=formatting.date(period.end_date),
                minimum=minimum,
            ),
            REASON_FIELD,
        )
    return CloseTerms(early=True, reason=reason)


@dataclass(frozen=True)
class CloseSummary:
    """What a close of the period would determine, as the confirmation shows it."""

    period: object
    today: datetime.date
    active_regencies: int
    total_regencies: int
    proposals: dict = field(default_factory=dict)  # ProposalStatus -> count, zeros included
    minimum_reason: int = DEFAULT_MIN_REASON

    @property
    def started(self) -> bool:
        return self.today >= self.period.start_date

    @property
    def early(self) -> bool:
        return is_early(self.period, self.today)

    def refusal(self) -> str | None:
        """Why the period cannot be closed at all today (None when it can)."""
        try:
            refuse_unstarted(self.period, self.today)
        except DomainError as error:
            return error.message
        return None


def close_summary(period, today: datetime.date | None = None) -> CloseSummary:
    """The pre-close summary of an open period: regencies active in it (live, as the activity
    page counts them) and its proposals per state."""
    nation = activity.period_activity(period, "").nation
    counts = dict(
        db.session.execute(
            sa.select(Proposal.status, sa.func.count())
            .where(Proposal.period_id == period.id)
            .group_by(Proposal.status)
        ).all()
    )
    return CloseSummary(
        period=period,
        today=today or clock.today(),
        active_regencies=nation.active if nation else 0,
        total_regencies=nation.total if nation else 0,
        proposals={state: int(counts.get(state, 0)) for state in SUMMARY_STATES},
        minimum_reason=minimum_reason_length(),
    )
