"""The workflow of a proposal after its draft:

    DRAFT ──submit──▶ SUBMITTED ──verify──▶ VERIFIED ──close──▶ APPLIED
                                └─reject──▶ REJECTED (with a reason)

The proposer changes (`update_draft`), submits and withdraws their own drafts; a verifier of the
proposal's regency verifies or rejects it, never their own. The close's part (VERIFIED →
APPLIED) is app.proposals.applying."""

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import Conflict, ValidationError
from app.extensions import db
from app.proposals.drafting import deactivation_reason
from app.proposals.permissions import check_own, check_verifier
from app.proposals.transactions import commit, now, require_open_period
from app.proposals.warnings import record_warnings
from models import Member, Proposal
from models.enums import HouseholdStatus, MemberStatus, ProposalKind, ProposalStatus

DEACTIVATIONS = (ProposalKind.DEACTIVATE_HOUSEHOLD, ProposalKind.DEACTIVATE_MEMBER)
#: A proposer may withdraw (delete) these of their own. A rejected proposal can be withdrawn so
#: that the people it proposed (whose NIKs it holds) can be proposed again, corrected.
WITHDRAWABLE = (ProposalStatus.DRAFT, ProposalStatus.REJECTED)
#: Households that exist only through their proposal: a withdrawal deletes them with it.
NOT_DETERMINED = (HouseholdStatus.PROPOSED, HouseholdStatus.REJECTED)


def update_draft(proposal: Proposal, user, reason=None, note: str | None = None) -> Proposal:
    """The proposer changes the reason (deactivations) and the note of their draft."""
    check_own(proposal, user)
    require_open_period(lock=True)
    if proposal.kind in DEACTIVATIONS:
        proposal.reason = deactivation_reason(reason)
    proposal.note = (note or "").strip() or None
    commit()
    return proposal


def submit(proposal: Proposal, user) -> Proposal:
    """The proposer hands their draft to the verifiers. A draft left from an earlier period
    belongs to the open one from now on."""
    check_own(proposal, user)
    period = require_open_period(lock=True)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = now()
    proposal.period_id = period.id
    record_warnings(proposal)  # the draft's people may have changed since it was built
    commit()
    return proposal


def _check_submitted(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.SUBMITTED:
        raise Conflict(
            gettext(
                "Only a submitted proposal can be verified or rejected; this one is %(status)s.",
                status=proposal.status.label,
            )
        )


def verify(proposal: Proposal, user) -> Proposal:
    """A verifier of the proposal's regency (not its proposer) accepts it: the close of the open
    period applies it."""
    check_verifier(proposal, user)
    _check_submitted(proposal)
    period = require_open_period(lock=True)
    proposal.status = ProposalStatus.VERIFIED
    proposal.verified_by_id = user.id
    proposal.verified_at = now()
    proposal.period_id = period.id
    commit()
    return proposal


def reject(proposal: Proposal, user, rejection_reason: str | None) -> Proposal:
    """A verifier of the proposal's regency (not its proposer) refuses it, saying why. Proposed
    rows stay as they are (never part of the register) until the proposer withdraws it."""
    check_verifier(proposal, user)
    text = (rejection_reason or "").strip()
    if not text:
        raise ValidationError(gettext("Give the reason for the rejection."), "rejection_reason")
    _check_submitted(proposal)
    require_open_period(lock=True)
    proposal.status = ProposalStatus.REJECTED
    proposal.rejection_reason = text
    proposal.verified_by_id = user.id
    proposal.verified_at = now()
    _mark_household_rejected(proposal)
    commit()
    return proposal


def _mark_household_rejected(proposal: Proposal) -> None:
    """A rejected new household is no longer "Proposed": lists, filters and Beranda show it
    as rejected (it stays out of the register, its members keep their NIKs until the proposer
    withdraws it)."""
    household = proposal.household
    if (
        proposal.kind == ProposalKind.NEW_HOUSEHOLD
        and household is not None
        and household.status == HouseholdStatus.PROPOSED
    ):
        household.status = HouseholdStatus.REJECTED


def withdraw(proposal: Proposal, user) -> None:
    """The proposer deletes their draft (or rejected) proposal with the rows it proposed: a
    proposed household with its families and members, or a proposed member (and its family if
    the proposal created it)."""
    check_own(proposal, user, WITHDRAWABLE)
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD:
        household = proposal.household
        db.session.delete(proposal)
        if household is not None and household.status in NOT_DETERMINED:
            db.session.delete(household)
    elif proposal.kind == ProposalKind.NEW_MEMBER:
        member = proposal.member
        db.session.delete(proposal)
        if member is not None and member.status == MemberStatus.PROPOSED:
            family = member.family
            db.session.delete(member)
            others = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Member)
                .where(Member.family_id == family.id, Member.id != member.id)
            )
            if not others:
                db.session.delete(family)
    else:
        db.session.delete(proposal)
    commit()
