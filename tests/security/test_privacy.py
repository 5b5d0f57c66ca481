"""The masking rule (app.security.privacy) and the bounded lookups (app.security.lookups), as a
masked role meets them: Provinsi and Interkoneksi see NIK and KK numbers as 6 digits, 8 stars and 2
digits and birth dates as a year, on every door; they cannot sort by them; and an attempt to
reconstruct a member's NIK from what they see — the mask, the birth year, the sex, the NIK check,
the searches — is stopped (quota or suspension) long before it succeeds.

One module, not split: every test follows the one member below (`target`) through a masked
role's eyes, from the mask on each door to the attempts to unmask it and the suspension that
ends them."""

import csv
import datetime
import io
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, bearer, session_csrf, signed_in
from tests.fixtures.factories import build_household, member_data

#: The member a masked role tries to unmask: born 28 December 1980, a man, serial 9912 — the
#: hidden digits come last in any enumeration in calendar order.
BORN = datetime.date(1980, 12, 28)
NIK = "3273012812809912"
KK = "3273011501209988"
NIK_CHECK = "/api/v1/nik-status/"


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture()
def target(app):
    """A Bandung household whose head has NIK, and its ids."""
    head = member_data(BANDUNG_VILLAGE, birth_date=BORN, name="Asep Sunandar", kk=KK)
    head["nik"] = NIK
    spouse = member_data(
        BANDUNG_VILLAGE,
        Relationship.SPOUSE,
        Sex.FEMALE,
        datetime.date(1983, 2, 3),
        "Siti Aminah",
        kk=KK,
    )
    with app.app_context():
        household = build_household(BANDUNG_VILLAGE, members=[head, spouse])
        from app.extensions import db
        from models import Member, Program, ProgramMembership

        members = db.session.scalars(
            sa.select(Member).where(Member.household_id == household.id).order_by(Member.id)
        ).all()
        program = db.session.scalar(sa.select(Program).where(Program.code == "BPNT"))
        db.session.add(
            ProgramMembership(
                program_id=program.id, household_id=household.id, family_id=members[0].family_id
            )
        )
        db.session.commit()
        return {
            "household": household.id,
            "member": members[0].id,
            "spouse_nik": members[1].nik,
            "family": members[0].family_id,
        }


def text_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def suspension_of(app, username):
    from app.extensions import db
    from models import RegionUser

    with app.app_context():
        user = db.session.scalar(sa.select(RegionUser).where(RegionUser.username == username))
        return user.lookup_suspended_at, user.lookup_suspended_reason


# -- the mask on every door ---------------------------------------------------------------------
FULL = [NIK, KK, "28 Desember 1980", "1980-12-28", "28-12-1980"]
MASKED = ["327301********12", "327301********88"]


@pytest.mark.parametrize("username", ["prov.jabar", "interkoneksi"])
def test_masked_roles_see_no_full_number_or_birth_date_in_the_api(app, target, username):
    client = app.test_client()
    headers = bearer(client, username)
    member = client.get(f"/api/v1/member/{target['member']}", headers=headers).get_json()
    assert member["result"]["nik"] == MASKED[0]
    assert member["result"]["birth_date"] is None
    assert member["result"]["birth_year"] == 1980 and member["result"]["sex"] == "MALE"
    listed = client.get("/api/v1/member/", headers=headers).get_data(as_text=True)
    families = client.get("/api/v1/family/", headers=headers).get_data(as_text=True)
    family = client.get(f"/api/v1/family/{target['family']}", headers=headers).get_json()
    assert family["result"]["kk_number"] == MASKED[1]
    for text in (listed, families, str(member), str(family)):
        assert not [value for value in FULL if value in text]


def test_full_viewers_get_the_birth_date_and_its_year(app, target):
    client = app.test_client()
    member = client.get(
        f"/api/v1/member/{target['member']}", headers=bearer(client, "operator.bandung")
    ).get_json()["result"]
    assert (member["nik"], member["birth_date"], member["birth_year"]) == (NIK, "1980-12-28", 1980)
    spec = client.get("/api/v1/_openapi", headers=bearer(client, "admin")).get_json()
    schema = spec["components"]["schemas"]["MemberApi.get"]["properties"]
    assert schema["birth_year"]["type"] == "integer"  # declared for every role


def test_masked_console_lists_pages_and_exports_show_years_and_masked_numbers(app, target):
    client = signed_in(app, "prov.jabar")
    pages = {
        "members": text_of(client.get("/members/list/")),
        "member": text_of(client.get(f"/members/show/{target['member']}")),
        "families": text_of(client.get("/families/list/")),
        "memberships": text_of(client.get("/memberships/list/")),
        "household": text_of(client.get(f"/households/show/{target['household']}")),
        "members.csv": text_of(client.get("/members/export/csv")),
        "families.csv": text_of(client.get("/families/export/csv")),
        "memberships.csv": text_of(client.get("/memberships/export/csv")),
    }
    for name, text in pages.items():
        assert not [value for value in FULL if value in text], name
    assert MASKED[0] in pages["members"] and MASKED[0] in pages["member"]
    assert MASKED[1] in pages["member"]  # the member's family, by its KK number
    assert MASKED[1] in pages["families"] and MASKED[1] in pages["memberships"]
    assert MASKED[1] in pages["household"] and MASKED[0] in pages["household"]
    rows = list(csv.reader(io.StringIO(pages["members.csv"].lstrip("\ufeff"))))
    head = next(row for row in rows if MASKED[0] in row)
    assert "1980" in head
    assert MASKED[1] in pages["families.csv"] and MASKED[1] in pages["memberships.csv"]


def test_an_operator_still_sees_its_region_in_full(app, target):
    client = signed_in(app, "operator.bandung")
    page = text_of(client.get(f"/members/show/{target['member']}"))
    assert NIK in page and KK in page and "28 Desember 1980" in page
    exported = text_of(client.get("/members/export/csv"))
    assert NIK in exported and "1980-12-28" in exported  # a file keeps real dates


def test_a_proposal_shows_masked_roles_the_birth_year_only(app, target):
    from app.extensions import db
    from app.register.reference import open_period
    from models import Proposal
    from models.enums import DeactivationReason, ProposalKind, ProposalStatus

    with app.app_context():
        operator = app.appbuilder.sm.find_user(username="operator.bandung")
        proposal = Proposal(
            kind=ProposalKind.DEACTIVATE_MEMBER,
            status=ProposalStatus.SUBMITTED,
            period_id=open_period().id,
            regency_code="32.73",
            household_id=target["household"],
            member_id=target["member"],
            reason=DeactivationReason.MOVED,
            proposed_by_id=operator.id,
        )
        db.session.add(proposal)
        db.session.commit()
        proposal_id = proposal.id
    masked = text_of(signed_in(app, "prov.jabar").get(f"/proposals/show/{proposal_id}"))
    assert MASKED[0] in masked and "1980" in masked
    assert not [value for value in FULL if value in masked]
    full = text_of(signed_in(app, "verifikator.bandung").get(f"/proposals/show/{proposal_id}"))
    assert NIK in full and "28 Desember 1980" in full


# -- no order by the hidden digits ----------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/members/list/?_oc_MemberView=nik&_od_MemberView=asc",
        "/members/list/?_oc_MemberView=birth_date&_od_MemberView=desc",
        "/families/list/?_oc_FamilyView=kk_number&_od_FamilyView=asc",
        "/members/export/csv?_oc_MemberView=nik&_od_MemberView=asc",
    ],
)
def test_masked_roles_cannot_sort_by_nik_kk_or_birth_date(app, target, url):
    assert signed_in(app, "prov.jabar").get(url).status_code == 400
    response = signed_in(app, "operator.bandung").get(url)
    assert response.status_code == 200


def test_the_masked_list_offers_no_sort_by_nik_and_the_api_refuses_it(app, target):
    page = text_of(signed_in(app, "prov.jabar").get("/members/list/"))
    assert "_oc_MemberView=full_name" in page and "_oc_MemberView=nik" not in page
    assert "_oc_MemberView=birth_date" not in page
    client = app.test_client()
    url = "/api/v1/family/?q=(order_column:kk_number,order_direction:asc)"
    assert client.get(url, headers=bearer(client, "interkoneksi")).status_code == 400
    assert client.get(url, headers=bearer(client, "admin")).status_code == 200


def test_birth_dates_are_searched_by_year_only(app, target):
    client = signed_in(app, "prov.jabar")
    found = text_of(client.get("/members/list/?_flt_0_birth_date=1980"))
    assert MASKED[0] in found and "Siti Aminah" not in found
    assert "Asep" not in text_of(client.get("/members/list/?_flt_0_birth_date=1981"))
    # Flask-AppBuilder's date comparisons (greater, smaller …) are not offered.
    assert client.get("/members/list/?_flt_1_birth_date=1980-12-01").status_code == 400


# -- the member NIK search ----------------------------------------------------------------------
def test_the_member_nik_search_finds_the_member_and_nothing_outside_the_region(app, target):
    with app.app_context():
        bogor = build_household(BOGOR_VILLAGE)
        bogor_names = [member.full_name for member in bogor.members]
    own = signed_in(app, "operator.bandung")
    found = text_of(own.get(f"/members/list/?_flt_0_nik={NIK}"))
    assert "Asep Sunandar" in found and "Siti Aminah" not in found
    exported = text_of(own.get(f"/members/export/csv?_flt_0_nik={NIK}"))
    assert NIK in exported and target["spouse_nik"] not in exported

    other = signed_in(app, "operator.bogor")
    foreign = text_of(other.get(f"/members/list/?_flt_0_nik={NIK}"))
    nowhere = text_of(other.get("/members/list/?_flt_0_nik=3273012812800000"))
    assert not [name for name in bogor_names if name in foreign]
    assert "Asep" not in foreign
    assert re.sub(r"\d{16}", "", foreign).count("<tr") == re.sub(r"\d{16}", "", nowhere).count(
        "<tr"
    )
    csv_foreign = text_of(other.get(f"/members/export/csv?_flt_0_nik={NIK}"))
    assert len(csv_foreign.strip().splitlines()) == 1  # the header only


def test_the_household_searches_find_the_household_of_a_nik_or_kk(app, target):
    client = signed_in(app, "operator.bandung")
    with app.app_context():
        other = build_household(BANDUNG_VILLAGE, address="Jl. Lain 2").register_id
    by_nik = text_of(client.get(f"/households/list/?_flt_0_nik={NIK}"))
    by_kk = text_of(client.get(f"/households/list/?_flt_0_kk_number={KK}"))
    assert other not in by_nik and other not in by_kk
    assert "Asep Sunandar" in by_nik and "Asep Sunandar" in by_kk


# -- reconstruction attempts ----------------------------------------------------------------------
def candidates(masked: str, year: int, sex: str):
    """Every NIK the masked one may be, in calendar order: the district and last two digits
    shown, the birth year and sex known, the day, month and two serial digits guessed."""
    day_offset = 40 if sex == "FEMALE" else 0
    day = datetime.date(year, 1, 1)
    while day.year == year:
        for serial in range(100):
            yield (f"{masked[:6]}{day.day + day_offset:02d}{day:%m%y}{serial:02d}{masked[-2:]}")
        day += datetime.timedelta(days=1)


def what_a_masked_role_sees(client, headers, member_id):
    shown = client.get(f"/api/v1/member/{member_id}", headers=headers).get_json()["result"]
    assert shown["birth_date"] is None
    return shown["nik"], shown["birth_year"], shown["sex"]


def test_interkoneksi_guessing_with_the_nik_check_is_suspended_before_it_succeeds(
    app, target, audit_trail
):
    client = app.test_client()
    headers = bearer(client, "interkoneksi")
    guesses = list(candidates(*what_a_masked_role_sees(client, headers, target["member"])))
    assert len(guesses) == 36_600 and NIK in guesses  # 1980 had 366 days
    answered, refusal = 0, None
    for start in range(0, len(guesses), 100):
        response = client.post(
            NIK_CHECK, headers=headers, json={"niks": guesses[start : start + 100]}
        )
        if response.status_code != 200:
            refusal = response
            break
        answers = response.get_json()["result"]
        assert not any(answer["registered"] for answer in answers)
        answered += len(answers)
    assert refusal is not None and refusal.status_code == 403
    assert "ditangguhkan" in refusal.get_json()["message"]
    assert answered < 200  # 0.5 % of the candidates, then nothing
    since, reason = suspension_of(app, "interkoneksi")
    assert since is not None and "tidak terdaftar" in reason
    ((username, entity, details),) = audit_trail("lookup_suspended")
    assert username == "interkoneksi" and details["checked"] >= 200
    # Suspended: every lookup door is closed, the right NIK included.
    assert client.post(NIK_CHECK, headers=headers, json={"niks": [NIK]}).status_code == 403
    search = f"/api/v1/member/?q=(filters:!((col:nik,opr:eq,value:'{NIK}')))"
    assert client.get(search, headers=headers).status_code == 403


def test_interkoneksi_bisecting_with_the_api_in_filter_runs_out_of_quota(app, target, audit_trail):
    client = app.test_client()
    headers = bearer(client, "interkoneksi")
    guesses = candidates(*what_a_masked_role_sees(client, headers, target["member"]))
    quota = app.config["LOOKUP_SEARCH_DAILY_QUOTA"]

    def ask(values):
        listed = ",".join(f"'{value}'" for value in values)
        return client.get(
            f"/api/v1/member/?q=(filters:!((col:nik,opr:in,value:!({listed}))))", headers=headers
        )

    first = ask([next(guesses) for _ in range(quota)])
    assert first.status_code == 200 and first.get_json()["count"] == 0
    refused = ask([next(guesses) for _ in range(50)])
    assert refused.status_code == 429
    assert "Jatah 100 pencarian NIK dan nomor KK per 24 jam" in refused.get_json()["message"]
    entries = audit_trail("identity_search")
    assert entries == [
        (
            "interkoneksi",
            "member",
            {"number": "nik", "door": "api:member", "count": quota, "hits": 0},
        )
    ]
    assert not [entry for entry in entries if NIK[:12] in str(entry)]


def test_prov_jabar_guessing_with_the_console_search_runs_out_of_quota(app, target, audit_trail):
    client = signed_in(app, "prov.jabar")
    api = app.test_client()
    guesses = candidates(*what_a_masked_role_sees(api, bearer(api, "prov.jabar"), target["member"]))
    quota = app.config["LOOKUP_SEARCH_DAILY_QUOTA"]
    for _ in range(quota):
        page = text_of(client.get(f"/members/list/?_flt_0_nik={next(guesses)}"))
        assert "Asep" not in page
    refused = client.get(f"/members/list/?_flt_0_nik={next(guesses)}")
    assert refused.status_code == 403
    assert "Jatah 100 pencarian NIK dan nomor KK" in refused.get_data(as_text=True)
    # The other searches by number share the quota; a search by name does not.
    assert client.get(f"/households/list/?_flt_0_kk_number={KK}").status_code == 403
    assert client.get(f"/members/export/csv?_flt_0_nik={NIK}").status_code == 403
    assert "Asep" in text_of(client.get("/members/list/?_flt_0_full_name=Asep"))
    assert len(audit_trail("identity_search")) == quota
    assert len(audit_trail("lookup_refused")) == 3


def test_a_search_is_counted_once_per_page_and_an_own_nik_is_a_hit(app, target, audit_trail):
    client = signed_in(app, "prov.jabar")
    page = text_of(client.get(f"/members/list/?_flt_0_nik={NIK}"))
    assert MASKED[0] in page and "Siti Aminah" not in page
    text_of(client.get(f"/members/list/?_flt_0_nik={quote(NIK[:4] + ' ' + NIK[4:])}"))
    assert (
        audit_trail("identity_search")
        == [
            (
                "prov.jabar",
                "member",
                {"number": "nik", "door": "MemberView.list", "count": 1, "hits": 1},
            )
        ]
        * 2
    )
    # Operators and national roles see numbers in full: their searches are not counted.
    text_of(signed_in(app, "operator.bandung").get(f"/members/list/?_flt_0_nik={NIK}"))
    assert len(audit_trail("identity_search")) == 2


# -- suspensions: shown to Admin and Pusdatin, lifted by them ---------------------------------
def suspend(app, username):
    from app.clock import utcnow
    from app.extensions import db
    from app.security import guessing, lookup_counts
    from models import RegionUser

    with app.app_context():
        user = db.session.scalar(sa.select(RegionUser).where(RegionUser.username == username))
        with db.engine.begin() as connection:
            lookup_counts.add(
                connection,
                user.id,
                "nik_check",
                lookup_counts.hour(utcnow()),
                asked=300,
                misses=300,
            )
            assert guessing.detect(connection, user.id, utcnow(), None)


@pytest.mark.parametrize("username", ["pusdatin", "admin"])
def test_suspended_callers_are_listed_and_lifted(app, target, username, audit_trail):
    suspend(app, "interkoneksi")
    client = signed_in(app, username)
    page = text_of(client.get("/lookup-suspensions/"))
    assert "interkoneksi" in page and "300 dari 300 nomor" in page
    beranda = text_of(client.get("/"))
    assert "Pencarian yang ditangguhkan" in beranda  # in the menu
    assert "Pencarian NIK oleh 1 pengguna ditangguhkan" in beranda  # and told on Beranda
    response = client.post(
        "/lookup-suspensions/lift/" + str(user_id(app, "interkoneksi")),
        data={"csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "Penangguhan interkoneksi dicabut" in text_of(response)
    assert suspension_of(app, "interkoneksi") == (None, None)
    ((who, entity, details),) = audit_trail("lookup_suspension_lifted")
    assert (who, entity, details) == (username, "user", {"username": "interkoneksi"})
    api = app.test_client()
    answer = api.post(NIK_CHECK, headers=bearer(api, "interkoneksi"), json={"niks": [NIK]})
    assert answer.status_code == 200 and answer.get_json()["result"][0]["registered"]


def user_id(app, username):
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


@pytest.mark.parametrize("username", ["operator.bandung", "prov.jabar", "interkoneksi"])
def test_only_admin_and_pusdatin_see_or_lift_suspensions(app, username):
    suspend(app, "interkoneksi")
    client = signed_in(app, username)
    page = client.get("/lookup-suspensions/", follow_redirects=True).get_data(as_text=True)
    assert "Ditangguhkan sejak" not in page and "Pencarian yang ditangguhkan" not in page
    assert "ditangguhkan karena tampak seperti menebak" not in text_of(client.get("/"))
    client.post(
        f"/lookup-suspensions/lift/{user_id(app, 'interkoneksi')}",
        data={"csrf_token": session_csrf(client)},
    )
    assert suspension_of(app, "interkoneksi")[0] is not None
