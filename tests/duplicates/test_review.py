"""The review queue (/duplicates/) as its users meet it: a verifier of Kota Bandung sees the pairs
of their regency side by side and decides them; "different people" survives a rescan, "same
person" deactivates the duplicate through the close and hands its programs to the record kept;
a stale, foreign or malformed decision is refused in Indonesian and changes nothing."""

import datetime

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, session_csrf, signed_in
from tests.fixtures.factories import build_household, member_data

BORN = datetime.date(1975, 4, 9)


def _household_with(app, village, name, nik=None, head=True):
    """A household whose head (or second member) is `name`, born BORN, with `nik`."""
    with app.app_context():
        head_data = member_data(village, name="Asep Sunandar" if not head else name)
        members = [head_data]
        if head:
            if nik:
                head_data.update(nik=nik, birth_date=BORN)
            else:
                head_data.update(birth_date=BORN)
        else:
            other = member_data(
                village, Relationship.OTHER, Sex.MALE, BORN, name, kk=head_data["kk_number"]
            )
            if nik:
                other["nik"] = nik
            members.append(other)
        household = build_household(village, members=members, address="Jl. Lain 2")
        person = next(m for m in household.members if m.full_name == name)
        return household.id, person.id, person.nik


@pytest.fixture()
def pair(app):
    """Budi Santoso, head in one Bandung household and registered again — "H. Budi Santoso", NIK
    one digit off — in another; the scan has raised them. (candidate id, kept id, other id)"""
    _home, first, nik = _household_with(app, BANDUNG_VILLAGE, "Budi Santoso")
    typo = nik[:-1] + ("1" if nik[-1] != "1" else "2")
    _other, second, _ = _household_with(app, BANDUNG_VILLAGE, "H. Budi Santoso", typo, head=False)
    return _scanned(app, first, second)


def _scanned(app, first, second):
    from app.duplicates import scanning
    from app.extensions import db
    from models import DuplicateCandidate

    with app.app_context():
        scanning.scan("")
        candidate = db.session.scalar(
            sa.select(DuplicateCandidate).where(
                DuplicateCandidate.first_id == min(first, second),
                DuplicateCandidate.second_id == max(first, second),
            )
        )
        assert candidate is not None and candidate.level.name == "LIKELY"
        return candidate.id, first, second


def _status(app, candidate_id):
    from app.extensions import db
    from models import DuplicateCandidate

    with app.app_context():
        return db.session.get(DuplicateCandidate, candidate_id).status.name


def _post(client, url, **data):
    """POST a decision (or scan) form as the signed-in user's browser would."""
    data = {"csrf_token": session_csrf(client), **data}
    return client.post(url, data=data, follow_redirects=True)


def test_the_verifier_sees_the_pair_side_by_side_and_what_matched(app, pair):
    candidate_id, _first, _second = pair
    verifier = signed_in(app, "verifikator.bandung")
    listing = verifier.get("/duplicates/list/").get_data(as_text=True)
    assert f"/duplicates/show/{candidate_id}" in listing
    assert "Kemungkinan besar duplikat" in listing and "NIK selisih satu ketikan" in listing
    page = verifier.get(f"/duplicates/show/{candidate_id}").get_data(as_text=True)
    assert "Budi Santoso" in page and "H. Budi Santoso" in page
    assert page.count('class="info matched"') >= 3  # name, birth date, NIK
    assert "Orang yang sama" in page and "Orang berbeda" in page


def test_different_people_is_remembered_across_a_rescan(app, pair, audit_trail):
    from app.duplicates import scanning

    candidate_id, _first, _second = pair
    verifier = signed_in(app, "verifikator.bandung")
    page = _post(verifier, f"/duplicates/different/{candidate_id}", note="Kakak beradik")
    assert "orang berbeda" in page.get_data(as_text=True).lower()
    assert _status(app, candidate_id) == "DIFFERENT"
    with app.app_context():
        result = scanning.scan("32.73")
    assert result.kept_decisions >= 1 and result.reopened == 0
    assert _status(app, candidate_id) == "DIFFERENT"
    (entry,) = audit_trail("duplicate_decided")
    assert entry[0] == "verifikator.bandung" and entry[2]["status"] == "DIFFERENT"


def test_same_person_leaves_through_the_close_with_its_programs(app, pair, fresh_period):
    from app import periods
    from app.extensions import db
    from models import Member, Program, ProgramMembership, Proposal
    from models.enums import MemberStatus, ProposalStatus

    candidate_id, kept, other = pair
    with app.app_context():
        program_id = db.session.scalar(sa.select(Program.id).where(Program.code == "PBI-JK"))
        duplicate = db.session.get(Member, other)
        db.session.add(
            ProgramMembership(
                program_id=program_id, member_id=other, household_id=duplicate.household_id
            )
        )
        db.session.commit()
    # The membership changed nothing the pair was scored on: the decision is not stale.
    verifier = signed_in(app, "verifikator.bandung")
    page = _post(verifier, f"/duplicates/same/{candidate_id}", keep=str(kept))
    assert "penutupan berikutnya" in page.get_data(as_text=True)
    assert _status(app, candidate_id) == "SAME"
    with app.app_context():
        proposal = db.session.scalar(sa.select(Proposal).where(Proposal.member_id == other))
        assert proposal.status is ProposalStatus.VERIFIED and proposal.duplicate_of_id == kept
        assert db.session.get(Member, other).status is MemberStatus.ACTIVE  # until the close
        result = periods.close_period(fresh_period)
        assert result.applied["memberships_moved"] == 1
        db.session.expire_all()
        assert db.session.get(Member, other).status is MemberStatus.DUPLICATE
        moved = db.session.scalar(
            sa.select(ProgramMembership).where(ProgramMembership.program_id == program_id)
        )
        assert moved.member_id == kept
        assert moved.household_id == db.session.get(Member, kept).household_id


def test_a_decision_on_a_changed_record_is_refused_as_stale(app, pair):
    from app.extensions import db
    from models import Member

    candidate_id, _first, second = pair
    with app.app_context():
        db.session.get(Member, second).birth_place = "Garut"
        db.session.commit()
    verifier = signed_in(app, "verifikator.bandung")
    page = _post(verifier, f"/duplicates/different/{candidate_id}").get_data(as_text=True)
    assert "telah berubah sejak" in page
    assert _status(app, candidate_id) == "OPEN"


def test_outside_the_region_a_candidate_is_absent_and_foreign_records_are_not_shown(app, pair):
    candidate_id, _first, _second = pair
    bogor = signed_in(app, "operator.bogor")
    assert bogor.get(f"/duplicates/show/{candidate_id}").status_code == 404
    assert f"/duplicates/show/{candidate_id}" not in bogor.get("/duplicates/list/").get_data(
        as_text=True
    )
    # An operator reads the queue but does not decide.
    operator = signed_in(app, "operator.bandung")
    assert "Orang yang sama" not in operator.get(f"/duplicates/show/{candidate_id}").get_data(
        as_text=True
    )
    refused = operator.post(
        f"/duplicates/different/{candidate_id}", data={"csrf_token": session_csrf(operator)}
    )
    assert refused.status_code in (302, 403)
    assert _status(app, candidate_id) == "OPEN"


def test_a_pair_across_regencies_is_decided_by_pusdatin_only(app):
    _home, first, nik = _household_with(app, BANDUNG_VILLAGE, "Dedi Mulyadi")
    typo = nik[:-1] + ("1" if nik[-1] != "1" else "2")
    _other, second, _ = _household_with(app, BOGOR_VILLAGE, "Dedi Mulyadi", typo, head=False)
    candidate_id, _first, _second = _scanned(app, first, second)
    verifier = signed_in(app, "verifikator.bandung")
    page = verifier.get(f"/duplicates/show/{candidate_id}").get_data(as_text=True)
    assert "di luar wilayah Anda" in page
    assert page.count("Dedi Mulyadi") == 1  # the Bogor record is not shown
    answer = _post(verifier, f"/duplicates/different/{candidate_id}").get_data(as_text=True)
    assert "Pusdatin yang memutuskan" in answer
    assert _status(app, candidate_id) == "OPEN"
    pusdatin = signed_in(app, "pusdatin")
    _post(pusdatin, f"/duplicates/different/{candidate_id}")
    assert _status(app, candidate_id) == "DIFFERENT"


@pytest.mark.parametrize("pk", ["abc", "0", "99999999", "1e3"])
def test_unknown_candidates_answer_404(app, pk):
    verifier = signed_in(app, "verifikator.bandung")
    assert verifier.get(f"/duplicates/show/{pk}").status_code == 404


def test_a_merge_must_name_one_of_the_two_records(app, pair):
    candidate_id, _first, _second = pair
    verifier = signed_in(app, "verifikator.bandung")
    page = _post(verifier, f"/duplicates/same/{candidate_id}", keep="12345").get_data(as_text=True)
    assert "Pilih data yang tetap" in page
    assert _status(app, candidate_id) == "OPEN"


def test_pusdatin_queues_a_scan_and_an_unknown_region_is_refused(app):
    from app.extensions import db
    from models import JobRun

    pusdatin = signed_in(app, "pusdatin")
    page = _post(pusdatin, "/duplicates/scan", region="99.99")
    assert "Kode wilayah 99.99 tidak dikenal." in page.get_data(as_text=True)
    page = _post(pusdatin, "/duplicates/scan", region="32.73")
    assert "dalam antrean" in page.get_data(as_text=True)
    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "duplicate_scan")).all()
        assert [run.params for run in runs] == [{"region": "32.73"}]
        for run in runs:
            db.session.delete(run)
        db.session.commit()
