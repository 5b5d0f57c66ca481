"""Every write door calls the one duplicate rule: the console form, the API and the proposal warn
on a likely duplicate (naming it within the user's region, saying only "elsewhere" outside it,
counted) and the verifier sees the warning on the proposal; an exact NIK stays an error."""

import datetime

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, csrf_token, session_csrf, signed_in
from tests.fixtures.factories import build_household, member_data

BORN = datetime.date(1975, 4, 9)


@pytest.fixture()
def registered(app):
    """Budi Santoso (head, born 9 April 1975) of a Bandung household, and another Bandung and a
    Bogor household to write into: (his NIK, Bandung household id, Bogor household id)."""
    with app.app_context():
        head = member_data(BANDUNG_VILLAGE, name="Budi Santoso", birth_date=BORN)
        build_household(BANDUNG_VILLAGE, members=[head], address="Jl. Cibadak 5")
        other = build_household(BANDUNG_VILLAGE, address="Jl. Lain 2")
        bogor = build_household(BOGOR_VILLAGE, address="Jl. Bogor 1")
        return head["nik"], other.id, bogor.id


def typo(nik: str) -> str:
    return nik[:-1] + ("1" if nik[-1] != "1" else "2")


def kk_of(app, household_id):
    from app.extensions import db
    from models import Family

    with app.app_context():
        return db.session.scalar(
            sa.select(Family.kk_number).where(Family.household_id == household_id)
        )


def member_form(client, url, nik, kk, name="H. Budi Santoso"):
    return {
        "csrf_token": csrf_token(client, url),
        "nik": nik,
        "full_name": name,
        "kk_number": kk,
        "relation_to_head": "OTHER",
        "sex": "MALE",
        "birth_date": BORN.isoformat(),
        "disability": "NONE",
        "chronic_illness": "NONE",
        "status": "ACTIVE",
    }


def post_member(client, url, nik, kk) -> str:
    """The member form at `url` sent as a clerk fills it; the page the browser lands on."""
    data = member_form(client, url, nik, kk)
    return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


def members_named(app, name) -> int:
    from app.extensions import db
    from models import Member

    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Member).where(Member.full_name == name)
        )


def test_the_console_form_warns_and_names_the_record_in_the_region(app, registered):
    nik, other, _bogor = registered
    admin = signed_in(app, "admin")
    page = post_member(
        admin, f"/members/add?_flt_0_household={other}", typo(nik), kk_of(app, other)
    )
    assert "Kemungkinan besar duplikat dari Budi Santoso" in page
    assert members_named(app, "H. Budi Santoso") == 1  # a warning: saved


def test_an_exact_nik_stays_an_error(app, registered):
    nik, other, _bogor = registered
    admin = signed_in(app, "admin")
    page = post_member(admin, f"/members/add?_flt_0_household={other}", nik, kk_of(app, other))
    assert "NIK" in page and "Kemungkinan besar duplikat" not in page
    assert members_named(app, "H. Budi Santoso") == 0


def test_the_api_answers_the_warning_with_the_created_member(app, client, token, registered):
    nik, other, _bogor = registered
    body = {
        "household_id": other,
        "nik": typo(nik),
        "full_name": "Budi Santosa",
        "kk_number": kk_of(app, other),
        "relation_to_head": "OTHER",
        "sex": "MALE",
        "birth_date": BORN.isoformat(),
    }
    response = client.post("/api/v1/member/", headers=token("admin"), json=body)
    assert response.status_code == 201, response.get_json()
    (warning,) = [w for w in response.get_json()["warnings"] if "duplikat" in w]
    assert "Budi Santoso" in warning


def test_a_proposal_warns_the_operator_and_the_verifier_sees_it(app, registered):
    nik, other, _bogor = registered
    operator = signed_in(app, "operator.bandung")
    url = f"/proposals/members/add?_flt_0_household={other}"
    page = post_member(operator, url, typo(nik), kk_of(app, other))
    assert "Kemungkinan besar duplikat dari Budi Santoso" in page
    from app.extensions import db
    from models import Proposal

    with app.app_context():
        proposal_id = db.session.scalar(sa.select(sa.func.max(Proposal.id)))
    # A verifier sees another user's proposal once it is submitted (app.proposals).
    submitted = operator.post(
        f"/proposals/submit/{proposal_id}", data={"csrf_token": session_csrf(operator)}
    )
    assert submitted.status_code == 302
    verifier = signed_in(app, "verifikator.bandung")
    shown = verifier.get(f"/proposals/show/{proposal_id}").get_data(as_text=True)
    assert "duplicate-warning" in shown and "Kemungkinan besar duplikat dari Budi Santoso" in shown


def test_outside_the_region_the_warning_names_no_one_and_is_counted(app, registered, audit_trail):
    nik, _other, bogor = registered
    operator = signed_in(app, "operator.bogor")
    url = f"/proposals/members/add?_flt_0_household={bogor}"
    page = post_member(operator, url, typo(nik), kk_of(app, bogor))
    assert "tercatat di luar wilayah Anda" in page
    assert "Budi Santoso" not in page.replace("H. Budi Santoso", "")
    assert nik not in page and "Jl. Cibadak" not in page
    (entry,) = audit_trail("identity_conflict")
    assert entry[0] == "operator.bogor"


def test_twins_in_one_household_raise_no_warning(app):
    with app.app_context():
        first = member_data(BANDUNG_VILLAGE, name="Hasan Basri", birth_date=BORN)
        build_household(BANDUNG_VILLAGE, members=[first])
        from app.register.households import Problems, check_member

        twin = {**member_data(BANDUNG_VILLAGE, name="Husein Basri", birth_date=BORN)}
        twin.update(nik=typo(first["nik"]))
        problems = Problems()
        check_member(twin, problems, home={"village_code": BANDUNG_VILLAGE})
        assert not [w for w in problems.warnings if "duplikat" in w]
