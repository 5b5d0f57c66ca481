"""The close's part of the proposals: `apply_verified` turns the verified proposals of a period
into register changes, set-based SQL on the close's own connection, inside its transaction
(app.periods.closing calls it as one of the close's statements).

It lives here, not in app.periods, because it is the last step of the proposal workflow: which
proposals apply and what each kind does to households and members is the proposals' knowledge;
the close only decides when, on which connection.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa

from models import (
    AuditEntry,
    DuplicateCandidate,
    Household,
    Member,
    Period,
    ProgramMembership,
    Proposal,
)
from models.enums import (
    DeactivationReason,
    HouseholdStatus,
    MembershipStatus,
    MemberStatus,
    PeriodStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)

#: The member status a verified member deactivation gives at the close.
MEMBER_STATUS_FOR = {
    DeactivationReason.MOVED: MemberStatus.MOVED,
    DeactivationReason.DECEASED: MemberStatus.DECEASED,
    DeactivationReason.DUPLICATE: MemberStatus.DUPLICATE,
    DeactivationReason.NOT_FOUND: MemberStatus.NOT_FOUND,
}


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

    A member deactivated as a duplicate of a member kept (duplicate_of_id) hands its receiving
    program memberships to that member (and their household); one the member kept already
    receives is ended instead. A household deactivated as entered twice (duplicate_of_household_id)
    hands its household and family memberships to the household kept, and each person's to the
    person of the household kept they were matched with (duplicate_candidate).

    Returns the number of rows changed: households_activated, members_activated,
    households_deactivated, members_deactivated, memberships_moved, proposals_applied.
    """
    proposal = Proposal.__table__
    household = Household.__table__
    member = Member.__table__
    applicable = _applicable(period_id)

    def verified(kind: ProposalKind, column, *conditions):
        return sa.select(column).where(applicable, proposal.c.kind == kind, *conditions)

    def change(table, condition, status) -> int:
        statement = (
            sa.update(table)
            .where(condition)
            .values(
                status=status, version=table.c.version + 1, updated_at=sa.func.current_timestamp()
            )
        )
        return connection.execute(statement).rowcount

    # Before the duplicates leave: their memberships go to the member each one duplicated.
    moved = _move_duplicates_memberships(connection, applicable)
    moved += _move_duplicate_households_memberships(connection, applicable)
    counts = {
        "households_activated": change(
            household,
            sa.and_(
                household.c.status == HouseholdStatus.PROPOSED,
                household.c.id.in_(verified(ProposalKind.NEW_HOUSEHOLD, proposal.c.household_id)),
            ),
            HouseholdStatus.ACTIVE,
        ),
        "members_activated": change(
            member,
            sa.and_(
                member.c.status == MemberStatus.PROPOSED,
                sa.or_(
                    member.c.household_id.in_(
                        verified(ProposalKind.NEW_HOUSEHOLD, proposal.c.household_id)
                    ),
                    member.c.id.in_(verified(ProposalKind.NEW_MEMBER, proposal.c.member_id)),
                ),
            ),
            MemberStatus.ACTIVE,
        ),
        "households_deactivated": change(
            household,
            sa.and_(
                household.c.status == HouseholdStatus.ACTIVE,
                household.c.id.in_(
                    verified(ProposalKind.DEACTIVATE_HOUSEHOLD, proposal.c.household_id)
                ),
            ),
            HouseholdStatus.INACTIVE,
        ),
        "members_deactivated": sum(
            change(
                member,
                sa.and_(
                    member.c.status == MemberStatus.ACTIVE,
                    member.c.id.in_(
                        verified(
                            ProposalKind.DEACTIVATE_MEMBER,
                            proposal.c.member_id,
                            proposal.c.reason == reason,
                        )
                    ),
                ),
                status,
            )
            for reason, status in MEMBER_STATUS_FOR.items()
        ),
    }
    counts["memberships_moved"] = moved
    _audit_applied(connection, period_id)
    counts["proposals_applied"] = connection.execute(
        sa.update(proposal)
        .where(applicable)
        .values(
            status=ProposalStatus.APPLIED,
            applied_period_id=period_id,
            version=proposal.c.version + 1,
            updated_at=sa.func.current_timestamp(),
        )
    ).rowcount
    return counts


def _applicable(period_id: int):
    """Verified proposals the close of `period_id` applies."""
    proposal, period = Proposal.__table__, Period.__table__
    return sa.and_(
        proposal.c.status == ProposalStatus.VERIFIED,
        proposal.c.period_id.in_(
            sa.select(period.c.id).where(
                sa.or_(period.c.id == period_id, period.c.status == PeriodStatus.CLOSED)
            )
        ),
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
        sa.literal(datetime.datetime.now(), sa.DateTime),
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
            ["at", "username", "action", "entity", "entity_id", "region_code", "before", "after"],
            rows,
        )
    )


def _move_duplicates_memberships(connection, applicable) -> int:
    """Receiving memberships of members about to leave as duplicates, to the member kept: two
    statements with correlated subqueries, whatever the number of duplicates."""
    proposal, member = Proposal.__table__, Member.__table__
    membership, kept = ProgramMembership.__table__, ProgramMembership.__table__.alias("kept")
    merges = sa.and_(
        applicable,
        proposal.c.kind == ProposalKind.DEACTIVATE_MEMBER,
        proposal.c.reason == DeactivationReason.DUPLICATE,
        proposal.c.duplicate_of_id.is_not(None),
    )
    leaving = sa.select(proposal.c.member_id).where(
        merges,
        proposal.c.member_id.in_(
            sa.select(member.c.id).where(member.c.status == MemberStatus.ACTIVE)
        ),
    )
    keeper = (
        sa.select(proposal.c.duplicate_of_id)
        .where(merges, proposal.c.member_id == membership.c.member_id)
        .scalar_subquery()
    )
    already = sa.exists().where(
        kept.c.member_id == keeper,
        kept.c.program_id == membership.c.program_id,
        kept.c.status == MembershipStatus.ACTIVE,
    )
    receiving = sa.and_(
        membership.c.member_id.in_(leaving), membership.c.status == MembershipStatus.ACTIVE
    )
    connection.execute(
        sa.update(membership)
        .where(receiving, already)
        .values(status=MembershipStatus.ENDED, end_date=sa.func.current_date())
    )
    household_of_keeper = (
        sa.select(member.c.household_id).where(member.c.id == keeper).scalar_subquery()
    )
    return connection.execute(
        sa.update(membership)
        .where(receiving)
        .values(member_id=keeper, household_id=household_of_keeper)
    ).rowcount


def _move_duplicate_households_memberships(connection, applicable) -> int:
    """Receiving memberships of households about to leave as entered twice, to the household
    kept. Per merged household (a handful a period, each decided by hand), in a few statements."""
    proposal, household = Proposal.__table__, Household.__table__
    merges = connection.execute(
        sa.select(proposal.c.household_id, proposal.c.duplicate_of_household_id).where(
            applicable,
            proposal.c.kind == ProposalKind.DEACTIVATE_HOUSEHOLD,
            proposal.c.reason == DeactivationReason.DUPLICATE,
            proposal.c.duplicate_of_household_id.is_not(None),
            proposal.c.household_id.in_(
                sa.select(household.c.id).where(household.c.status == HouseholdStatus.ACTIVE)
            ),
        )
    ).all()
    return sum(_hand_over(connection, leaving, kept) for leaving, kept in merges)


def _hand_over(connection, leaving: int, kept: int) -> int:
    membership, member = ProgramMembership.__table__, Member.__table__
    families = dict(
        connection.execute(
            sa.select(member.c.id, member.c.family_id).where(member.c.household_id == kept)
        ).all()
    )
    head_family = connection.scalar(
        sa.select(member.c.family_id).where(
            member.c.household_id == kept, member.c.relation_to_head == Relationship.HEAD
        )
    )
    twins = _matched_people(connection, leaving, kept)
    held = {
        (program, person)
        for program, person in connection.execute(
            sa.select(membership.c.program_id, membership.c.member_id).where(
                membership.c.household_id == kept,
                membership.c.status == MembershipStatus.ACTIVE,
            )
        )
    }
    moved = 0
    for row in connection.execute(
        sa.select(membership).where(
            membership.c.household_id == leaving, membership.c.status == MembershipStatus.ACTIVE
        )
    ).all():
        person = twins.get(row.member_id) if row.member_id is not None else None
        if row.member_id is not None and person is None:
            continue  # nobody kept to hand it to: it leaves with the household
        if (row.program_id, person) in held:
            values = {"status": MembershipStatus.ENDED, "end_date": sa.func.current_date()}
        else:
            family = families.get(person) if person else (head_family if row.family_id else None)
            values = {"household_id": kept, "member_id": person, "family_id": family}
            held.add((row.program_id, person))
            moved += 1
        connection.execute(sa.update(membership).where(membership.c.id == row.id).values(**values))
    return moved


def _matched_people(connection, leaving: int, kept: int) -> dict[int, int]:
    """Person of the leaving household → the person of the household kept they were matched
    with by the duplicate scan."""
    candidate, member = DuplicateCandidate.__table__, Member.__table__
    first, second = member.alias("first_member"), member.alias("second_member")
    rows = connection.execute(
        sa.select(candidate.c.first_id, first.c.household_id, candidate.c.second_id)
        .join(first, first.c.id == candidate.c.first_id)
        .join(second, second.c.id == candidate.c.second_id)
        .where(
            sa.or_(
                sa.and_(first.c.household_id == leaving, second.c.household_id == kept),
                sa.and_(first.c.household_id == kept, second.c.household_id == leaving),
            )
        )
    ).all()
    return {
        (one if household == leaving else other): (other if household == leaving else one)
        for one, household, other in rows
    }
