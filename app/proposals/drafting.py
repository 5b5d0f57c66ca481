"""Drafts of proposals: a new household (with its members), a new member, a deactivation of
a household or of one member. A new household or member is written at once with status PROPOSED;
a deactivation changes no row until the close. `check_*` validates (raising for the whole
request, returning field problems); `build_*` adds the rows to the session for the door to commit
with its form; `propose_deactivation` validates and commits."""

import sqlalchemy as sa
from flask_babel import gettext

from app import codes
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.proposals.permissions import check_region, is_own, require_proposer
from app.proposals.transactions import commit, require_open_period
from app.proposals.warnings import record_warnings
from app.register import households
from app.register.households import Problems
from app.register.queries import find_household, find_member
from models import Family, Household, Member, Proposal
from models.enums import (
    DeactivationReason,
    HouseholdStatus,
    MemberStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)

#: Proposals that still hold their target: at most one deactivation of a target among these.
PENDING = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.VERIFIED)


# -- a new household ----------------------------------------------------------------------
def _as_proposed(member: dict) -> dict:
    return {**member, "status": MemberStatus.PROPOSED}


def check_household_proposal(data: dict, members: list[dict], user) -> Problems:
    """A proposed household with its members (the head first). Raises for the whole request
    (no period open, not a proposer, outside the region); returns field problems."""
    require_proposer(user)
    require_open_period()
    if data.get("village_code"):
        check_region(user, data["village_code"])
    members = [_as_proposed(member) for member in members]
    problems = households.check_new_household(data, members)
    for index, member in enumerate(members):
        prefix = "head_" if index == 0 else f"members-{index}-"
        if not member.get("relation_to_head"):
            problems.error(
                prefix + "relation_to_head", gettext("Relationship to head is required.")
            )
        if not member.get("sex"):
            problems.error(prefix + "sex", gettext("Sex is required."))
    return problems


def build_household_proposal(
    household: Household, members: list[dict], user, note: str | None = None
) -> Proposal:
    """Mark `household` proposed, attach its members and add its proposal to the session
    (the caller commits, so a form door can save all of it in one transaction)."""
    period = require_open_period(lock=True)
    household.status = HouseholdStatus.PROPOSED
    households.attach_members(household, [_as_proposed(member) for member in members])
    proposal = Proposal(
        kind=ProposalKind.NEW_HOUSEHOLD,
        status=ProposalStatus.DRAFT,
        period_id=period.id,
        regency_code=codes.regency_of(household.village_code),
        household=household,
        proposed_by_id=user.id,
        note=note,
    )
    record_warnings(proposal, household.members)
    db.session.add(household)
    db.session.add(proposal)
    return proposal


# -- a new member -------------------------------------------------------------------------
def draft_of_household(household: Household) -> Proposal | None:
    """The NEW_HOUSEHOLD proposal of a proposed household."""
    return db.session.scalar(
        sa.select(Proposal).where(
            Proposal.household_id == household.id,
            Proposal.kind == ProposalKind.NEW_HOUSEHOLD,
        )
    )


def check_member_proposal(household: Household, data: dict, user):
    """A proposed member of `household`: of a determined household (it becomes a NEW_MEMBER
    proposal), or of the user's own draft household proposal (it joins that proposal).
    Returns (problems, cleaned NIK, family, the draft it joins or None)."""
    require_proposer(user)
    require_open_period()
    check_region(user, household.village_code)
    draft = None
    if household.status == HouseholdStatus.PROPOSED:
        draft = draft_of_household(household)
        if draft is None or draft.status != ProposalStatus.DRAFT or not is_own(draft, user):
            raise ValidationError(
                gettext(
                    "Members of a proposed household can be added only to your own draft proposal."
                )
            )
    elif household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            gettext(
                "Household %(id)s is not in the register: members cannot be proposed for it.",
                id=household.register_id,
            )
        )
    problems = Problems()
    data = _as_proposed(data)
    nik, family = households.check_member_change(
        household, data, problems, kk_number=data.get("kk_number")
    )
    if not data.get("relation_to_head"):
        problems.error("relation_to_head", gettext("Relationship to head is required."))
    if not data.get("sex"):
        problems.error("sex", gettext("Sex is required."))
    return problems, nik, family, draft


def build_member_proposal(
    household: Household, member: Member, family: Family, draft: Proposal | None, user
) -> Proposal:
    """Place the proposed `member` and add its proposal to the session (the caller commits).
    A member of a draft household proposal joins that proposal."""
    period = require_open_period(lock=True)
    member.household, member.family = household, family
    member.status = MemberStatus.PROPOSED
    db.session.add(member)
    if draft is not None:
        record_warnings(draft)
        return draft
    proposal = Proposal(
        kind=ProposalKind.NEW_MEMBER,
        status=ProposalStatus.DRAFT,
        period_id=period.id,
        regency_code=codes.regency_of(household.village_code),
        household=household,
        member=member,
        proposed_by_id=user.id,
    )
    record_warnings(proposal, [member])
    db.session.add(proposal)
    return proposal


# -- deactivations ------------------------------------------------------------------------
def deactivation_reason(value) -> DeactivationReason:
    if isinstance(value, DeactivationReason):
        return value
    try:
        return DeactivationReason[str(value or "")]
    except KeyError:
        raise ValidationError(
            gettext("Choose the reason for the deactivation."), "reason"
        ) from None


def _pending_deactivation(kind: ProposalKind, target_column, target_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(Proposal.kind == kind, target_column == target_id, Proposal.status.in_(PENDING))
        )
        > 0
    )


def deactivation_target(user, register_id, nik=None) -> tuple[int, int | None]:
    """(household id, member id or None) of a deactivation named by register ID and, for one
    member, NIK — both in the user's region."""
    household = find_household(user, register_id=register_id)
    if not (nik or "").strip():
        return household.id, None
    member = find_member(user, nik=nik)
    if member.household_id != household.id:
        raise ValidationError(
            gettext(
                "NIK %(nik)s is not an active member of household %(id)s.",
                nik=member.nik,
                id=household.register_id,
            ),
            "nik",
        )
    return household.id, member.id


def propose_deactivation(
    user, reason, household_id=None, member_id=None, note: str | None = None
) -> Proposal:
    """A draft proposal to deactivate a determined household, or one of its active members
    (not the head: name another head first, or deactivate the household)."""
    require_proposer(user)
    reason = deactivation_reason(reason)
    period = require_open_period(lock=True)
    if member_id is not None:
        member = find_member(user, member_id)
        household = member.household
    else:
        member, household = None, find_household(user, household_id)
    check_region(user, household.village_code)
    # Serialise proposals on one target (PostgreSQL): the pending check below then holds.
    db.session.execute(
        sa.select(Household.id).where(Household.id == household.id).with_for_update()
    )
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            gettext(
                "Household %(id)s is not in the register: it cannot be deactivated.",
                id=household.register_id,
            )
        )
    if member is None:
        kind = ProposalKind.DEACTIVATE_HOUSEHOLD
        if _pending_deactivation(kind, Proposal.household_id, household.id):
            raise Conflict(
                gettext(
                    "Household %(id)s already has a pending deactivation proposal.",
                    id=household.register_id,
                )
            )
    else:
        kind = ProposalKind.DEACTIVATE_MEMBER
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(
                gettext(
                    "%(name)s is not an active member: they cannot be deactivated.",
                    name=member.full_name,
                )
            )
        if member.relation_to_head == Relationship.HEAD:
            raise ValidationError(
                gettext(
                    "The head of household cannot be deactivated alone: name another head "
                    "first, or propose deactivating the household."
                )
            )
        if _pending_deactivation(kind, Proposal.member_id, member.id):
            raise Conflict(
                gettext(
                    "%(name)s already has a pending deactivation proposal.", name=member.full_name
                )
            )
    proposal = Proposal(
        kind=kind,
        status=ProposalStatus.DRAFT,
        period_id=period.id,
        regency_code=codes.regency_of(household.village_code),
        household_id=household.id,
        member_id=member.id if member is not None else None,
        reason=reason,
        note=(note or "").strip() or None,
        proposed_by_id=user.id,
    )
    db.session.add(proposal)
    commit()
    return proposal
