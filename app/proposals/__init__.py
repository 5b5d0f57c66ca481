"""Proposals (usulan): new households, new members and deactivations, from a regency office's
draft to the period close that applies them. Every door (console, API, CLI) calls these
functions; they raise DomainError subclasses whose message is for the user.

    DRAFT ──submit──▶ SUBMITTED ──verify──▶ VERIFIED ──close──▶ APPLIED
                                └─reject──▶ REJECTED (with a reason)

- A new household is written at once with status PROPOSED (its members PROPOSED); a new member
  likewise. Proposed rows are visible to their regency but are not the determined register
  (statistics and snapshots count ACTIVE rows only); their NIKs are taken (PROPOSED counts as
  living), so a NIK cannot be proposed twice.
- A deactivation changes no row until the close; one pending deactivation per target.
- The proposer submits, edits and withdraws their own drafts; a Verifikator whose region covers
  the proposal verifies or rejects it, never their own.
- Submit, verify and reject hold a shared lock on the open period's row: a close, which locks
  that row first, never sees a proposal change state under it.

`apply_verified` is the close's part: set-based SQL on the close's own connection.
"""
from __future__ import annotations

import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError

from app import codes
from app.register import households
from app.security import scope
from app.errors import Conflict, DomainError, NotFound, ValidationError
from app.extensions import db
from app.register.households import Problems
from models import AuditEntry, Family, Household, Member, Period, Proposal
from models.enums import (
    DeactivationReason, HouseholdStatus, MemberStatus, PeriodStatus, ProposalKind,
    ProposalStatus, Relationship,
)

#: Proposals that still hold their target: at most one deactivation of a target among these.
PENDING = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.VERIFIED)
DEACTIVATIONS = (ProposalKind.DEACTIVATE_HOUSEHOLD, ProposalKind.DEACTIVATE_MEMBER)
#: A proposer may withdraw (delete) these of their own. A rejected proposal can be withdrawn so
#: that the people it proposed (whose NIKs it holds) can be proposed again, corrected.
WITHDRAWABLE = (ProposalStatus.DRAFT, ProposalStatus.REJECTED)
PROPOSER_ROLES = frozenset({"Operator", "Admin"})
VERIFIER_ROLES = frozenset({"Verifikator", "Admin"})
#: The member status a verified member deactivation gives at the close.
MEMBER_STATUS_FOR = {
    DeactivationReason.MOVED: MemberStatus.MOVED,
    DeactivationReason.DECEASED: MemberStatus.DECEASED,
    DeactivationReason.DUPLICATE: MemberStatus.DUPLICATE,
    DeactivationReason.NOT_FOUND: MemberStatus.NOT_FOUND,
}


class NotAllowed(DomainError):
    """The user's role does not allow this step on this proposal."""

    status = 403





# -- who may do what ----------------------------------------------------------------------
def _roles(user) -> set[str]:
    return {role.name for role in getattr(user, "roles", None) or []}


def _require_proposer(user) -> None:
    if not _roles(user) & PROPOSER_ROLES:
        raise NotAllowed(gettext("Only operators make proposals."))


def _check_region(user, code: str | None, field: str = "village_code") -> None:
    scope.check_in_scope(code, field, scope.scope_of(user))


def is_own(proposal: Proposal, user) -> bool:
    return user is not None and proposal.proposed_by_id == getattr(user, "id", None)


def may_verify(proposal: Proposal, user) -> bool:
    """Whether `user` may verify or reject `proposal` now (for showing the buttons)."""
    try:
        _check_verifier(proposal, user)
    except DomainError:
        return False
    return proposal.status == ProposalStatus.SUBMITTED


def _check_verifier(proposal: Proposal, user) -> None:
    if not _roles(user) & VERIFIER_ROLES:
        raise NotAllowed(gettext("Only a verifier of the proposal's regency verifies it."))
    _check_region(user, _village_of(proposal), "regency_code")
    if is_own(proposal, user):
        raise NotAllowed(gettext("Nobody verifies their own proposal: another verifier must."))


def _village_of(proposal: Proposal) -> str:
    household = proposal.household or db.session.get(Household, proposal.household_id)
    return household.village_code


def _check_own(proposal: Proposal, user, statuses=(ProposalStatus.DRAFT,)) -> None:
    _check_region(user, _village_of(proposal), "regency_code")
    if not is_own(proposal, user):
        raise NotAllowed(gettext("Only the proposer may change or withdraw a proposal."))
    if proposal.status not in statuses:
        raise Conflict(gettext("This proposal is %(status)s: only a draft can be changed.",
                               status=proposal.status.label))


# -- periods and transactions -------------------------------------------------------------
def _open_period(lock: bool = False) -> Period:
    """The open period. With `lock`, a shared row lock (PostgreSQL) held until commit: a close
    locks the row before applying proposals, so it waits for us and we for it."""
    query = sa.select(Period).where(Period.status == PeriodStatus.OPEN)
    if lock:
        query = query.with_for_update(read=True)
    period = db.session.scalar(query)
    if period is None:
        raise Conflict(gettext(
            "No updating period is open (a close may be running): try again when the next "
            "period has opened."
        ))
    return period


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict(gettext(
            "Someone else changed this proposal meanwhile. Nothing was saved: reload it and "
            "try again."
        )) from error
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise Conflict(gettext(
            "Someone else saved a record with the same NIK or KK number at the same time. "
            "Nothing was saved: check the data and try again."
        )) from error


def _now() -> datetime.datetime:
    return datetime.datetime.now()


# -- finding things in the user's region --------------------------------------------------
def proposal_in_scope(proposal_id, user) -> Proposal:
    """The proposal if it lies in the user's region; NotFound otherwise (as if absent)."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("No such proposal in your region.")) from None
    proposal = db.session.scalar(
        sa.select(Proposal).join(Household, Household.id == Proposal.household_id).where(
            Proposal.id == proposal_id,
            scope.scope_clause(Household.village_code, scope.scope_of(user)),
        )
    )
    if proposal is None:
        raise NotFound(gettext("No such proposal in your region."))
    return proposal


def household_in_scope(user, household_id=None, register_id: str | None = None) -> Household:
    query = sa.select(Household).where(
        scope.scope_clause(Household.village_code, scope.scope_of(user))
    )
    if register_id is not None:
        query = query.where(Household.register_id == (register_id or "").strip())
    else:
        try:
            query = query.where(Household.id == int(household_id))
        except (TypeError, ValueError):
            query = query.where(sa.false())
    household = db.session.scalar(query)
    if household is None:
        raise NotFound(gettext("No household with this register ID in your region."),
                       "register_id")
    return household


def member_in_scope(user, member_id=None, nik: str | None = None) -> Member:
    query = sa.select(Member).join(Household, Household.id == Member.household_id).where(
        scope.scope_clause(Household.village_code, scope.scope_of(user))
    )
    if nik is not None:
        from app.register.identity import clean_number

        query = query.where(Member.nik == clean_number(nik), Member.status == MemberStatus.ACTIVE)
    else:
        try:
            query = query.where(Member.id == int(member_id))
        except (TypeError, ValueError):
            query = query.where(sa.false())
    member = db.session.scalar(query.limit(1))
    if member is None:
        raise NotFound(gettext("No active member with this NIK in your region."), "nik")
    return member


# -- a new household ----------------------------------------------------------------------
def _as_proposed(member: dict) -> dict:
    return {**member, "status": MemberStatus.PROPOSED}


def check_household_proposal(data: dict, members: list[dict], user) -> Problems:
    """A proposed household with its members (the head first). Raises for the whole request
    (no period open, not a proposer, outside the region); returns field problems."""
    _require_proposer(user)
    _open_period()
    if data.get("village_code"):
        _check_region(user, data["village_code"])
    members = [_as_proposed(member) for member in members]
    problems = households.check_new_household(data, members)
    for index, member in enumerate(members):
        prefix = "head_" if index == 0 else f"members-{index}-"
        if not member.get("relation_to_head"):
            problems.error(prefix + "relation_to_head",
                           gettext("Relationship to head is required."))
        if not member.get("sex"):
            problems.error(prefix + "sex", gettext("Sex is required."))
    return problems


def build_household_proposal(household: Household, members: list[dict], user,
                             note: str | None = None) -> Proposal:
    """Mark `household` proposed, attach its members and add its proposal to the session
    (the caller commits, so a form door can save all of it in one transaction)."""
    period = _open_period(lock=True)
    household.status = HouseholdStatus.PROPOSED
    households.attach_members(household, [_as_proposed(member) for member in members])
    proposal = Proposal(
        kind=ProposalKind.NEW_HOUSEHOLD, status=ProposalStatus.DRAFT, period_id=period.id,
        regency_code=codes.regency_of(household.village_code), household=household,
        proposed_by_id=user.id, note=note,
    )
    db.session.add(household)
    db.session.add(proposal)
    return proposal


def propose_household(data: dict, members: list[dict], user,
                      note: str | None = None) -> tuple[Proposal, list[str]]:
    """Validate and save a proposed household (status PROPOSED) and its draft proposal."""
    problems = check_household_proposal(data, members, user)
    problems.raise_if_any()
    proposal = build_household_proposal(Household(**data), members, user, note)
    _commit()
    return proposal, problems.warnings


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
    _require_proposer(user)
    _open_period()
    _check_region(user, household.village_code)
    draft = None
    if household.status == HouseholdStatus.PROPOSED:
        draft = draft_of_household(household)
        if draft is None or draft.status != ProposalStatus.DRAFT or not is_own(draft, user):
            raise ValidationError(gettext(
                "Members of a proposed household can be added only to your own draft proposal."
            ))
    elif household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(gettext(
            "Household %(id)s is not in the register: members cannot be proposed for it.",
            id=household.register_id,
        ))
    problems = Problems()
    data = _as_proposed(data)
    nik, family = households.check_member_change(household, data, problems,
                                                 kk_number=data.get("kk_number"))
    if not data.get("relation_to_head"):
        problems.error("relation_to_head", gettext("Relationship to head is required."))
    if not data.get("sex"):
        problems.error("sex", gettext("Sex is required."))
    return problems, nik, family, draft


def build_member_proposal(household: Household, member: Member, family: Family,
                          draft: Proposal | None, user) -> Proposal:
    """Place the proposed `member` and add its proposal to the session (the caller commits).
    A member of a draft household proposal joins that proposal."""
    period = _open_period(lock=True)
    member.household, member.family = household, family
    member.status = MemberStatus.PROPOSED
    db.session.add(member)
    if draft is not None:
        return draft
    proposal = Proposal(
        kind=ProposalKind.NEW_MEMBER, status=ProposalStatus.DRAFT, period_id=period.id,
        regency_code=codes.regency_of(household.village_code), household=household, member=member,
        proposed_by_id=user.id,
    )
    db.session.add(proposal)
    return proposal


def propose_member(household_id, data: dict, user) -> tuple[Proposal, list[str]]:
    household = household_in_scope(user, household_id)
    problems, nik, family, draft = check_member_proposal(household, data, user)
    problems.raise_if_any()
    member = Member(nik=nik)
    for name in households.MEMBER_FIELDS:
        if data.get(name) is not None:
            setattr(member, name, data[name])
    member.full_name = (member.full_name or "").strip()
    proposal = build_member_proposal(household, member, family, draft, user)
    _commit()
    return proposal, problems.warnings


# -- deactivations ------------------------------------------------------------------------
def _reason(value) -> DeactivationReason:
    if isinstance(value, DeactivationReason):
        return value
    try:
        return DeactivationReason[str(value or "")]
    except KeyError:
        raise ValidationError(gettext("Choose the reason for the deactivation."),
                              "reason") from None


def _pending_deactivation(kind: ProposalKind, target_column, target_id: int) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Proposal).where(
            Proposal.kind == kind, target_column == target_id, Proposal.status.in_(PENDING)
        )
    ) > 0


def deactivation_target(user, register_id, nik=None) -> tuple[int, int | None]:
    """(household id, member id or None) of a deactivation named by register ID and, for one
    member, NIK — both in the user's region."""
    household = household_in_scope(user, register_id=register_id)
    if not (nik or "").strip():
        return household.id, None
    member = member_in_scope(user, nik=nik)
    if member.household_id != household.id:
        raise ValidationError(gettext(
            "NIK %(nik)s is not an active member of household %(id)s.",
            nik=member.nik, id=household.register_id,
        ), "nik")
    return household.id, member.id


def propose_deactivation(user, reason, household_id=None, member_id=None,
                         note: str | None = None) -> Proposal:
    """A draft proposal to deactivate a determined household, or one of its active members
    (not the head: name another head first, or deactivate the household)."""
    _require_proposer(user)
    reason = _reason(reason)
    period = _open_period(lock=True)
    if member_id is not None:
        member = member_in_scope(user, member_id)
        household = member.household
    else:
        member, household = None, household_in_scope(user, household_id)
    _check_region(user, household.village_code)
    # Serialise proposals on one target (PostgreSQL): the pending check below then holds.
    db.session.execute(
        sa.select(Household.id).where(Household.id == household.id).with_for_update()
    )
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(gettext(
            "Household %(id)s is not in the register: it cannot be deactivated.",
            id=household.register_id,
        ))
    if member is None:
        kind = ProposalKind.DEACTIVATE_HOUSEHOLD
        if _pending_deactivation(kind, Proposal.household_id, household.id):
            raise Conflict(gettext(
                "Household %(id)s already has a pending deactivation proposal.",
                id=household.register_id,
            ))
    else:
        kind = ProposalKind.DEACTIVATE_MEMBER
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(gettext(
                "%(name)s is not an active member: they cannot be deactivated.",
                name=member.full_name,
            ))
        if member.relation_to_head == Relationship.HEAD:
            raise ValidationError(gettext(
                "The head of household cannot be deactivated alone: name another head "
                "first, or propose deactivating the household."
            ))
        if _pending_deactivation(kind, Proposal.member_id, member.id):
            raise Conflict(gettext(
                "%(name)s already has a pending deactivation proposal.", name=member.full_name
            ))
    proposal = Proposal(
        kind=kind, status=ProposalStatus.DRAFT, period_id=period.id,
        regency_code=codes.regency_of(household.village_code), household_id=household.id,
        member_id=member.id if member is not None else None, reason=reason,
        note=(note or "").strip() or None, proposed_by_id=user.id,
    )
    db.session.add(proposal)
    _commit()
    return proposal


# -- the workflow -------------------------------------------------------------------------
def update_draft(proposal: Proposal, user, reason=None, note: str | None = None) -> Proposal:
    """The proposer changes the reason (deactivations) and the note of their draft."""
    _check_own(proposal, user)
    _open_period(lock=True)
    if proposal.kind in DEACTIVATIONS:
        proposal.reason = _reason(reason)
    proposal.note = (note or "").strip() or None
    _commit()
    return proposal


def submit(proposal: Proposal, user) -> Proposal:
    """The proposer hands their draft to the verifiers. A draft left from an earlier period
    belongs to the open one from now on."""
    _check_own(proposal, user)
    period = _open_period(lock=True)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = _now()
    proposal.period_id = period.id
    _commit()
    return proposal


def _check_submitted(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.SUBMITTED:
        raise Conflict(gettext(
            "Only a submitted proposal can be verified or rejected; this one is %(status)s.",
            status=proposal.status.label,
        ))


def verify(proposal: Proposal, user) -> Proposal:
    """A verifier of the proposal's regency (not its proposer) accepts it: the close of the open
    period applies it."""
    _check_verifier(proposal, user)
    _check_submitted(proposal)
    period = _open_period(lock=True)
    proposal.status = ProposalStatus.VERIFIED
    proposal.verified_by_id = user.id
    proposal.verified_at = _now()
    proposal.period_id = period.id
    _commit()
    return proposal


def reject(proposal: Proposal, user, rejection_reason: str | None) -> Proposal:
    """A verifier of the proposal's regency (not its proposer) refuses it, saying why. Proposed
    rows stay as they are (never part of the register) until the proposer withdraws it."""
    _check_verifier(proposal, user)
    text = (rejection_reason or "").strip()
    if not text:
        raise ValidationError(gettext("Give the reason for the rejection."), "rejection_reason")
    _check_submitted(proposal)
    _open_period(lock=True)
    proposal.status = ProposalStatus.REJECTED
    proposal.rejection_reason = text
    proposal.verified_by_id = user.id
    proposal.verified_at = _now()
    _commit()
    return proposal


def withdraw(proposal: Proposal, user) -> None:
    """The proposer deletes their draft (or rejected) proposal with the rows it proposed: a
    proposed household with its families and members, or a proposed member (and its family if
    the proposal created it)."""
    _check_own(proposal, user, WITHDRAWABLE)
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD:
        household = proposal.household
        db.session.delete(proposal)
        if household is not None and household.status == HouseholdStatus.PROPOSED:
            db.session.delete(household)
    elif proposal.kind == ProposalKind.NEW_MEMBER:
        member = proposal.member
        db.session.delete(proposal)
        if member is not None and member.status == MemberStatus.PROPOSED:
            family = member.family
            db.session.delete(member)
            others = db.session.scalar(
                sa.select(sa.func.count()).select_from(Member).where(
                    Member.family_id == family.id, Member.id != member.id
                )
            )
            if not others:
                db.session.delete(family)
    else:
        db.session.delete(proposal)
    _commit()


# -- the close ----------------------------------------------------------------------------
def apply_verified(connection, period_id: int) -> dict[str, int]:
    """Apply the verified proposals of period `period_id` on `connection`, inside the caller's
    transaction (the period close); set-based: a fixed number of statements, whatever the count.

    Contract (the close locks the period row first, so no proposal changes state meanwhile):
    for proposals with status VERIFIED and period_id = `period_id` (or the id of an already
    CLOSED period: one verified just as that period's close began, which it could not see, is
    applied by the next close rather than never)
      NEW_HOUSEHOLD         household PROPOSED → ACTIVE, and its PROPOSED members → ACTIVE
      NEW_MEMBER            member PROPOSED → ACTIVE
      DEACTIVATE_HOUSEHOLD  household ACTIVE → INACTIVE (members keep their status)
      DEACTIVATE_MEMBER     member ACTIVE → the reason's status (MOVED, DECEASED, DUPLICATE,
                            NOT_FOUND)
    then each becomes APPLIED with applied_period_id = `period_id`, and one audit entry per
    applied proposal is written. Changed rows get a new version (a form opened before the close
    cannot overwrite them). Rows no longer in the expected status are left alone. Running it
    again applies nothing (no VERIFIED proposal of the period is left).

    Returns the number of rows changed: households_activated, members_activated,
    households_deactivated, members_deactivated, proposals_applied.
    """
    proposal = Proposal.__table__
    household = Household.__table__
    member = Member.__table__
    applicable = _applicable(period_id)

    def verified(kind: ProposalKind, column, *conditions):
        return sa.select(column).where(applicable, proposal.c.kind == kind, *conditions)

    def change(table, condition, status) -> int:
        statement = sa.update(table).where(condition).values(
            status=status, version=table.c.version + 1, updated_at=sa.func.current_timestamp()
        )
        return connection.execute(statement).rowcount

    counts = {
        "households_activated": change(
            household,
            sa.and_(household.c.status == HouseholdStatus.PROPOSED,
                    household.c.id.in_(verified(ProposalKind.NEW_HOUSEHOLD,
                                                proposal.c.household_id))),
            HouseholdStatus.ACTIVE,
        ),
        "members_activated": change(
            member,
            sa.and_(member.c.status == MemberStatus.PROPOSED, sa.or_(
                member.c.household_id.in_(verified(ProposalKind.NEW_HOUSEHOLD,
                                                   proposal.c.household_id)),
                member.c.id.in_(verified(ProposalKind.NEW_MEMBER, proposal.c.member_id)),
            )),
            MemberStatus.ACTIVE,
        ),
        "households_deactivated": change(
            household,
            sa.and_(household.c.status == HouseholdStatus.ACTIVE,
                    household.c.id.in_(verified(ProposalKind.DEACTIVATE_HOUSEHOLD,
                                                proposal.c.household_id))),
            HouseholdStatus.INACTIVE,
        ),
        "members_deactivated": sum(
            change(
                member,
                sa.and_(member.c.status == MemberStatus.ACTIVE,
                        member.c.id.in_(verified(ProposalKind.DEACTIVATE_MEMBER,
                                                 proposal.c.member_id,
                                                 proposal.c.reason == reason))),
                status,
            )
            for reason, status in MEMBER_STATUS_FOR.items()
        ),
    }
    _audit_applied(connection, period_id)
    counts["proposals_applied"] = connection.execute(
        sa.update(proposal)
        .where(applicable)
        .values(status=ProposalStatus.APPLIED, applied_period_id=period_id,
                version=proposal.c.version + 1, updated_at=sa.func.current_timestamp())
    ).rowcount
    return counts


def _applicable(period_id: int):
    """Verified proposals the close of `period_id` applies."""
    proposal, period = Proposal.__table__, Period.__table__
    return sa.and_(
        proposal.c.status == ProposalStatus.VERIFIED,
        proposal.c.period_id.in_(sa.select(period.c.id).where(
            sa.or_(period.c.id == period_id, period.c.status == PeriodStatus.CLOSED)
        )),
    )


def _audit_applied(connection, period_id: int) -> None:
    """One audit entry per proposal the close applies, written by one INSERT … SELECT."""
    proposal = Proposal.__table__
    entry = AuditEntry.__table__
    json_type = entry.c.after.type

    def json_value(value):
        bound = sa.literal(value, json_type)
        # psycopg2 sends the document as text: PostgreSQL needs it cast to JSONB.
        return sa.cast(bound, json_type) if connection.dialect.name == "postgresql" else bound

    rows = sa.select(
        sa.literal(_now(), sa.DateTime),
        sa.literal("system"),
        sa.literal("apply"),
        sa.literal("proposal"),
        sa.cast(proposal.c.id, sa.String(40)),
        proposal.c.regency_code,
        json_value({"status": ProposalStatus.VERIFIED.name}),
        json_value({"status": ProposalStatus.APPLIED.name, "applied_period_id": period_id}),
    ).where(_applicable(period_id))
    connection.execute(
        sa.insert(entry).from_select(
            ["at", "username", "action", "entity", "entity_id", "region_code", "before",
             "after"],
            rows,
        )
    )
