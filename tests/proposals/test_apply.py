"""The period close's part of the proposals (DESIGN §5, issue 4): what was verified is applied
set-based, once, and audited; what was not stays proposed."""

import datetime

import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE
from tests.fixtures.proposals import (
    find_user,
    propose_household,
)


def _propose_member(household_id, data, user):
    """A member proposal saved as its form door saves it: checked, built, committed."""
    from app import proposals
    from app.extensions import db
    from app.register import queries
    from app.register.households import MEMBER_FIELDS
    from models import Member

    household = queries.find_household(user, household_id)
    problems, nik, family, draft = proposals.check_member_proposal(household, data, user)
    problems.raise_if_any()
    member = Member(
        nik=nik, **{name: data[name] for name in MEMBER_FIELDS if data.get(name) is not None}
    )
    proposal = proposals.build_member_proposal(household, member, family, draft, user)
    db.session.commit()
    return proposal


# -- the close's part -------------------------------------------------------------------
def test_apply_verified_changes_statuses_set_based(app, make_household):
    from app import proposals
    from app.extensions import db
    from app.register.reference import open_period
    from models import Household, Member
    from models.enums import Relationship
    from tests.fixtures.factories import member_data

    with app.app_context():
        operator, verifier = find_user("operator.bandung"), find_user("verifikator.bandung")
        registered = db.session.get(Household, make_household())
        gone = db.session.get(Household, make_household())
        spouse = next(m for m in registered.members if m.relation_to_head == Relationship.SPOUSE)
        head = member_data(BANDUNG_VILLAGE, name="Dadang Suryana")
        child = member_data(
            BANDUNG_VILLAGE,
            relation=Relationship.CHILD,
            birth_date=datetime.date(2015, 1, 9),
            name="Rina",
            kk=head["kk_number"],
        )
        new_household = propose_household(
            {"village_code": BANDUNG_VILLAGE, "address": "Jl. Baru 1"}, [head, child], operator
        )
        waiting = propose_household(
            {"village_code": BANDUNG_VILLAGE, "address": "Jl. Baru 2"},
            [member_data(BANDUNG_VILLAGE, name="Belum Diverifikasi")],
            operator,
        )
        new_member = _propose_member(
            registered.id,
            member_data(
                BANDUNG_VILLAGE,
                relation=Relationship.CHILD,
                birth_date=datetime.date(2018, 2, 3),
                name="Dede",
                kk=registered.families[0].kk_number,
            ),
            operator,
        )
        member_gone = proposals.propose_deactivation(operator, "DECEASED", member_id=spouse.id)
        household_gone = proposals.propose_deactivation(operator, "MOVED", household_id=gone.id)
        ids = [p.id for p in (new_household, new_member, member_gone, household_gone)]
        for proposal in (new_household, new_member, member_gone, household_gone, waiting):
            proposals.submit(proposal, operator)
        for proposal in (new_household, new_member, member_gone, household_gone):
            proposals.verify(proposal, verifier)
        period_id = open_period().id
        new_household_id, new_member_id = new_household.household_id, new_member.member_id
        spouse_id, gone_id, waiting_id = spouse.id, gone.id, waiting.household_id
        audit_before = db.session.scalar(sa.text("SELECT count(*) FROM audit_entry"))
        db.session.commit()

        with db.engine.begin() as connection:
            counts = proposals.apply_verified(connection, period_id)
        assert counts == {
            "households_activated": 1,
            "members_activated": 3,
            "households_deactivated": 1,
            "members_deactivated": 1,
            "memberships_moved": 0,  # no deactivation as a duplicate of a member kept
            "proposals_applied": 4,
        }
        with db.engine.begin() as connection:
            again = proposals.apply_verified(connection, period_id)
        assert set(again.values()) == {0}

        db.session.expire_all()
        assert db.session.get(Household, new_household_id).status.name == "ACTIVE"
        assert {m.status.name for m in db.session.get(Household, new_household_id).members} == {
            "ACTIVE"
        }
        assert db.session.get(Member, new_member_id).status.name == "ACTIVE"
        assert db.session.get(Member, spouse_id).status.name == "DECEASED"
        household = db.session.get(Household, gone_id)
        assert household.status.name == "INACTIVE"
        assert {m.status.name for m in household.members} == {"ACTIVE"}
        assert db.session.get(Household, waiting_id).status.name == "PROPOSED"
        rows = db.session.execute(
            sa.text("SELECT status, applied_period_id FROM proposal ORDER BY id")
        ).all()
        statuses = {status for status, _ in rows}
        assert statuses == {"APPLIED", "SUBMITTED"}
        assert {applied for status, applied in rows if status == "APPLIED"} == {period_id}
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_entry")) == audit_before + 4
        assert sorted(
            int(entity_id)
            for entity_id in db.session.scalars(
                sa.text(
                    "SELECT entity_id FROM audit_entry WHERE action = 'apply' ORDER BY id DESC "
                    "LIMIT 4"
                )
            )
        ) == sorted(ids)

        from app import statistics

        totals = statistics.totals(scope="")
        # Registered (2 people, one now deceased, plus Dede) and the new household (2 people).
        assert (totals.households, totals.people) == (2, 4)
