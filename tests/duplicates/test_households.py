"""A household entered twice — its people registered again by another village of the district,
NIKs mistyped — is raised as one candidate beside its people's; "same household" sends the
second entry out of the register through the close, its memberships to the household kept;
"different households" is remembered."""

import datetime

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import BANDUNG_VILLAGE, session_csrf, signed_in
from tests.fixtures.factories import build_household, member_data

OTHER_VILLAGE = "32.73.01.1002"


def typo(nik: str) -> str:
    return nik[:-1] + ("1" if nik[-1] != "1" else "2")


@pytest.fixture()
def twice(app):
    """(kept id, second entry id, household candidate id): a family of three entered again."""
    from app.duplicates import scanning
    from app.extensions import db
    from models import DuplicateCandidate, Program, ProgramMembership

    with app.app_context():
        head = member_data(
            BANDUNG_VILLAGE, name="Ujang Sopandi", birth_date=datetime.date(1970, 2, 3)
        )
        wife = member_data(
            BANDUNG_VILLAGE,
            Relationship.SPOUSE,
            Sex.FEMALE,
            datetime.date(1973, 8, 21),
            "Euis Rohaeti",
            kk=head["kk_number"],
        )
        child = member_data(
            BANDUNG_VILLAGE,
            Relationship.CHILD,
            Sex.MALE,
            datetime.date(2004, 11, 5),
            "Asep Saepudin",
            kk=head["kk_number"],
        )
        address = "Kp. Sukamaju 3"
        first = build_household(BANDUNG_VILLAGE, members=[head, wife, child], address=address)
        kk = "3273011501209999"
        again = [
            {**person, "nik": typo(person["nik"]), "kk_number": kk}
            for person in (head, wife, child)
        ]
        again[0]["full_name"] = "H. Ujang Sopandi"
        second = build_household(OTHER_VILLAGE, members=again, address=address)
        program_id = db.session.scalar(sa.select(Program.id).where(Program.code == "PKH"))
        family_id = second.members[0].family_id
        db.session.add(
            ProgramMembership(program_id=program_id, household_id=second.id, family_id=family_id)
        )
        db.session.commit()
        ids = (first.id, second.id)
        scanning.scan("32.73")
        candidate = db.session.scalar(
            sa.select(DuplicateCandidate).where(
                DuplicateCandidate.first_household_id == min(ids),
                DuplicateCandidate.second_household_id == max(ids),
            )
        )
        assert candidate is not None and candidate.level.name == "LIKELY", candidate
        assert candidate.reasons[0] == "members_match"
        people = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DuplicateCandidate)
            .where(DuplicateCandidate.first_id.is_not(None))
        )
        assert people == 3  # and each of its people, on their own
        return first.id, second.id, candidate.id


def _post(client, url, **data):
    data = {"csrf_token": session_csrf(client), **data}
    return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_the_verifier_sees_both_households_with_their_people(app, twice):
    _kept, _second, candidate_id = twice
    page = signed_in(app, "verifikator.bandung").get(f"/duplicates/show/{candidate_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ujang Sopandi" in text and "H. Ujang Sopandi" in text and "Euis Rohaeti" in text
    assert "Rumah tangga yang sama" in text and "sebagian besar anggotanya" in text


def test_same_household_leaves_through_the_close_with_its_memberships(app, twice, fresh_period):
    from app import periods
    from app.extensions import db
    from models import Household, ProgramMembership, Proposal
    from models.enums import HouseholdStatus, ProposalKind

    kept, second, candidate_id = twice
    verifier = signed_in(app, "verifikator.bandung")
    text = _post(verifier, f"/duplicates/same/{candidate_id}", keep=str(kept))
    assert "Diputuskan: rumah tangga yang sama" in text
    with app.app_context():
        proposal = db.session.scalar(sa.select(Proposal).where(Proposal.household_id == second))
        assert proposal.kind is ProposalKind.DEACTIVATE_HOUSEHOLD
        assert proposal.duplicate_of_household_id == kept
        result = periods.close_period(fresh_period)
        assert result.applied["memberships_moved"] == 1
        db.session.expire_all()
        assert db.session.get(Household, second).status is HouseholdStatus.INACTIVE
        membership = db.session.scalar(sa.select(ProgramMembership))
        assert membership.household_id == kept
        assert membership.family_id == db.session.get(Household, kept).families[0].id


def test_different_households_is_remembered(app, twice):
    from app.duplicates import scanning
    from app.extensions import db
    from models import DuplicateCandidate

    _kept, _second, candidate_id = twice
    text = _post(signed_in(app, "verifikator.bandung"), f"/duplicates/different/{candidate_id}")
    assert "Diputuskan: rumah tangga berbeda" in text
    with app.app_context():
        result = scanning.scan("32.73")
        assert result.kept_decisions >= 1
        assert db.session.get(DuplicateCandidate, candidate_id).status.name == "DIFFERENT"


def test_the_api_gives_household_ids(app, client, token, twice):
    kept, second, candidate_id = twice
    answer = client.get(f"/api/v1/duplicate/{candidate_id}", headers=token("verifikator.bandung"))
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()["result"]
    assert result["household_ids"] == sorted((kept, second)) and result["member_ids"] is None
