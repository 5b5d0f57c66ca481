"""A duplicate candidate decided "same person" (or "same household"): one record stays, the other
leaves the register as DUPLICATE through the proposal flow — a DEACTIVATE_MEMBER (or
DEACTIVATE_HOUSEHOLD) proposal, verified by the decision itself (the verifier's or Pusdatin's),
applied by the next close, which also moves the program memberships of what leaves to what is
kept (app.proposals.applying).
"""

from __future__ import annotations

from flask_babel import gettext

from app import codes
from app.duplicates import review
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.proposals.drafting import _pending_deactivation
from app.proposals.transactions import commit, now, require_open_period
from models import DuplicateCandidate, Household, Member, Proposal
from models.enums import (
    DeactivationReason,
    DuplicateStatus,
    HouseholdStatus,
    MemberStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)


def merge_duplicate(
    candidate: DuplicateCandidate, user, keep_id, note: str | None = None
) -> Proposal:
    """Decide "same person" (or, for a household pair, "same household"), keeping `keep_id`."""
    review.check_decidable(candidate, user)
    keep_id = _kept(candidate, keep_id)
    if candidate.of_households:
        return _merge_households(candidate, user, keep_id, note)
    leaving_id = candidate.second_id if keep_id == candidate.first_id else candidate.first_id
    period = require_open_period(lock=True)
    leaving, kept = db.session.get(Member, leaving_id), db.session.get(Member, keep_id)
    if leaving.status is not MemberStatus.ACTIVE or kept.status is not MemberStatus.ACTIVE:
        raise ValidationError(
            gettext(
                "Both records must be in the register to be merged; a proposed one is rejected "
                "on its proposal instead."
            )
        )
    if leaving.relation_to_head == Relationship.HEAD:
        raise ValidationError(
            gettext(
                "%(name)s is the head of household %(id)s: keep that record, or name another "
                "head of that household first.",
                name=leaving.full_name,
                id=leaving.household.register_id,
            ),
            "keep",
        )
    if _pending_deactivation(ProposalKind.DEACTIVATE_MEMBER, Proposal.member_id, leaving.id):
        raise Conflict(
            gettext("%(name)s already has a pending deactivation proposal.", name=leaving.full_name)
        )
    return _verified_deactivation(
        candidate,
        user,
        note,
        period_id=period.id,
        kind=ProposalKind.DEACTIVATE_MEMBER,
        regency_code=codes.regency_of(leaving.household.village_code),
        household_id=leaving.household_id,
        member_id=leaving.id,
        duplicate_of_id=kept.id,
    )


def _kept(candidate: DuplicateCandidate, keep_id) -> int:
    try:
        keep_id = int(keep_id)
    except (TypeError, ValueError):
        keep_id = 0
    if keep_id not in candidate.pair:
        raise ValidationError(gettext("Choose the record that stays in the register."), "keep")
    return keep_id


def _merge_households(candidate: DuplicateCandidate, user, keep_id: int, note) -> Proposal:
    """The household not kept leaves the register at the close; its people leave with it (their
    pairs with the household kept are then dropped by the next scan) and its memberships go to
    the household kept."""
    period = require_open_period(lock=True)
    leaving_id = next(household for household in candidate.pair if household != keep_id)
    leaving = db.session.get(Household, leaving_id)
    if leaving.status is not HouseholdStatus.ACTIVE:
        raise ValidationError(
            gettext(
                "Both records must be in the register to be merged; a proposed one is rejected "
                "on its proposal instead."
            )
        )
    if _pending_deactivation(ProposalKind.DEACTIVATE_HOUSEHOLD, Proposal.household_id, leaving_id):
        raise Conflict(
            gettext(
                "Household %(id)s already has a pending deactivation proposal.",
                id=leaving.register_id,
            )
        )
    return _verified_deactivation(
        candidate,
        user,
        note,
        period_id=period.id,
        kind=ProposalKind.DEACTIVATE_HOUSEHOLD,
        regency_code=codes.regency_of(leaving.village_code),
        household_id=leaving.id,
        duplicate_of_household_id=keep_id,
    )


def _verified_deactivation(candidate: DuplicateCandidate, user, note, **target) -> Proposal:
    """The deactivation the decision is (`target`: its kind, period, region and records),
    verified by the one who decided, with the candidate marked SAME in the same transaction."""
    at = now()
    proposal = Proposal(
        status=ProposalStatus.VERIFIED,
        reason=DeactivationReason.DUPLICATE,
        note=(note or "").strip() or None,
        proposed_by_id=user.id,
        submitted_at=at,
        verified_by_id=user.id,
        verified_at=at,
        **target,
    )
    db.session.add(proposal)
    review.record_decision(candidate, user, DuplicateStatus.SAME, note)
    commit()
    return proposal
