"""The review of a duplicate candidate: who may see it, who may decide it, and the decision
"different people" (remembered: the scan never raises the pair again unless one record changes).
The decision "same person" (or "same household") is a deactivation through the proposal flow
(app.proposals.merging).

A candidate is seen by users whose region holds either record (a Verifikator their regency,
Pusdatin the country); the record outside the viewer's region is shown only as "registered
elsewhere". It is decided only by a Verifikator whose region holds both records, by Pusdatin or
an Admin, and only while both records are as they were when it was scored: otherwise the
decision is refused as stale and the next scan scores the pair again.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext, lazy_gettext

from app import audit
from app.clock import utcnow
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.security import roles
from app.security.scope import current_scope, in_scope, scope_clause
from models import DuplicateCandidate, Household, Member, Region
from models.enums import DuplicateLevel, DuplicateStatus

DECIDERS = frozenset({roles.VERIFIKATOR, roles.PUSDATIN, roles.ADMIN})


class NotAllowed(DomainError):
    status = 403


class VisibleCandidates(BaseFilter):
    """The `base_filters` of every door listing candidates: those of the user's region."""

    name = lazy_gettext("User's region")
    arg_name = "duplicateregion"

    def apply(self, query, value):
        return query.filter(visible_clause())


#: What the candidate views and API declare as their base filter.
BASE_FILTERS = [["regency_code", VisibleCandidates, lambda: None]]


def visible_clause(scope: str | None = None):
    """Candidates with a record in the user's region (regency codes are prefixes of villages)."""
    scope = current_scope() if scope is None else scope
    return sa.or_(
        scope_clause(DuplicateCandidate.regency_code, scope),
        scope_clause(DuplicateCandidate.other_regency_code, scope),
        *([_regency_in(scope)] if len(scope or "") > 5 else []),
    )


def _regency_in(scope: str):
    # A user scoped below a regency (a district) still sees the pairs of their regency.
    return DuplicateCandidate.regency_code == scope[:5]


def candidate_in_scope(candidate_id, scope: str | None = None) -> DuplicateCandidate:
    try:
        candidate_id = int(candidate_id)
    except (TypeError, ValueError):
        candidate_id = 0
    candidate = db.session.scalar(
        sa.select(DuplicateCandidate).where(
            DuplicateCandidate.id == candidate_id, visible_clause(scope)
        )
    )
    if candidate is None:
        raise NotFound(gettext("No such duplicate candidate in your region."))
    return candidate


def sees_record(candidate: DuplicateCandidate, which: str, scope: str | None = None) -> bool:
    """Whether the viewer may see the `first` or `second` record of the pair."""
    code = candidate.regency_code if which == "first" else candidate.other_regency_code
    return in_scope(code, current_scope() if scope is None else scope)


def check_decidable(candidate: DuplicateCandidate, user) -> None:
    if not (roles.role_names(user) & DECIDERS):
        raise NotAllowed(gettext("Only a verifier or Pusdatin decides duplicate candidates."))
    scope = current_scope()
    if not (sees_record(candidate, "first", scope) and sees_record(candidate, "second", scope)):
        raise NotAllowed(
            gettext(
                "One of these records is registered outside your region: Pusdatin decides "
                "this candidate."
            )
        )
    if candidate.status is not DuplicateStatus.OPEN:
        raise Conflict(gettext("This candidate has already been decided."))
    model = Household if candidate.of_households else Member
    first, second = candidate.pair
    versions = dict(
        db.session.execute(
            sa.select(model.id, model.version).where(model.id.in_((first, second)))
        ).all()
    )
    if (versions.get(first), versions.get(second)) != (
        candidate.first_version,
        candidate.second_version,
    ):
        raise Conflict(
            gettext(
                "One of the two records has changed since this candidate was found: nothing "
                "was decided. The next scan compares them again."
            )
        )


def record_decision(candidate: DuplicateCandidate, user, status, note: str | None) -> None:
    """Mark the candidate decided (the caller's transaction) and audit it."""
    before = {"status": candidate.status.name}
    candidate.status = status
    candidate.decided_at = utcnow()
    candidate.decided_by_id = user.id
    candidate.note = (note or "").strip() or None
    audit.record(
        "duplicate_decided",
        "duplicate",
        candidate.id,
        region_code=candidate.regency_code,
        before=before,
        after={
            "status": status.name,
            ("households" if candidate.of_households else "members"): list(candidate.pair),
            "note": candidate.note,
        },
    )


def decide_different(candidate: DuplicateCandidate, user, note: str | None = None) -> None:
    check_decidable(candidate, user)
    record_decision(candidate, user, DuplicateStatus.DIFFERENT, note)
    db.session.commit()


def open_by_regency(scope: str | None = None) -> list[tuple[str, str, int, int]]:
    """(regency code, name, likely, possible) of the open candidates the user sees, by the
    regency of their first record: Beranda's and the region recap's work queue."""
    candidate = DuplicateCandidate.__table__
    likely = sa.func.sum(sa.case((candidate.c.level == DuplicateLevel.LIKELY, 1), else_=0))
    possible = sa.func.sum(sa.case((candidate.c.level == DuplicateLevel.POSSIBLE, 1), else_=0))
    rows = db.session.execute(
        sa.select(candidate.c.regency_code, Region.name, likely, possible)
        .join(Region, Region.code == candidate.c.regency_code)
        .where(candidate.c.status == DuplicateStatus.OPEN, visible_clause(scope))
        .group_by(candidate.c.regency_code, Region.name)
        .order_by(candidate.c.regency_code)
    )
    return [(code, name, int(a or 0), int(b or 0)) for code, name, a, b in rows]
