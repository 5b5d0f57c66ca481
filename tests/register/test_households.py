"""The clerk's household forms and lists, through the HTTP interface."""

import datetime
import re

import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, csrf_token, form_defaults
from tests.fixtures.factories import kk_for, nik_for


def _new_household_form(client, **overrides):
    birth = datetime.date(1975, 8, 17)
    data = {
        "csrf_token": csrf_token(client, "/households/add"),
        "village_code": BANDUNG_VILLAGE,
        "address": "Jl. Cicadas No. 12",
        "rt": "003",
        "rw": "005",
        "welfare_decile": "2",
        "head_full_name": "Asep Sunandar",
        "head_nik": nik_for(BANDUNG_VILLAGE, birth, None),
        "head_kk_number": kk_for(BANDUNG_VILLAGE),
        "head_sex": "MALE",
        "head_birth_place": "Bandung",
        "head_birth_date": birth.isoformat(),
    }
    data.update(overrides)
    return data


def _count(app, table):
    from app.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def test_operator_proposes_rather_than_adds_households(app, client, login):
    login("operator.bandung")
    assert client.get("/households/add").status_code in (302, 403)
    assert "/proposals/households/add" in client.get("/households/list/").get_data(as_text=True)


def test_admin_adds_household_with_its_head(app, client, login):
    login("admin")
    response = client.post(
        "/households/add", data=_new_household_form(client), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asep Sunandar" in client.get("/households/list/").get_data(as_text=True)
    assert _count(app, "household") == 1
    assert _count(app, "member") == 1
    assert _count(app, "family") == 1
    assert "alert-danger" not in html  # (every page names NIK: the navigation bar's search)


def test_malformed_nik_is_refused_in_indonesian_and_nothing_is_written(app, client, login):
    login("admin")
    response = client.post("/households/add", data=_new_household_form(client, head_nik="12345"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "NIK harus terdiri dari 16 digit" in html
    assert "Asep Sunandar" in html  # what the clerk typed is still there
    assert _count(app, "household") == 0


def test_impossible_nik_date_and_unknown_village_are_errors(app, client, login):
    login("admin")
    bad_date = "3273017213750001"  # month 13
    response = client.post(
        "/households/add",
        data=_new_household_form(client, head_nik=bad_date, village_code="32.73.01.9999"),
    )
    html = response.get_data(as_text=True)
    assert "tanggal lahir yang tidak mungkin" in html
    assert "32.73.01.9999" in html and "tidak dikenal" in html
    assert _count(app, "household") == 0


def test_district_code_is_not_a_village(app, client, login):
    login("admin")
    response = client.post(
        "/households/add", data=_new_household_form(client, village_code="32.73.01")
    )
    assert "bukan desa/kelurahan" in response.get_data(as_text=True)
    assert _count(app, "household") == 0


def test_duplicate_living_nik_is_refused(app, client, login, make_household):
    make_household()
    from app.extensions import db
    from models import Member

    with app.app_context():
        taken = db.session.scalar(sa.select(Member.nik).limit(1))
    login("admin")
    response = client.post("/households/add", data=_new_household_form(client, head_nik=taken))
    assert "sudah dimiliki orang lain" in response.get_data(as_text=True)
    assert _count(app, "household") == 1


def test_nik_birth_date_mismatch_is_only_a_warning(app, client, login):
    login("admin")
    mismatched = nik_for(BANDUNG_VILLAGE, datetime.date(1975, 8, 18), None)
    response = client.post(
        "/households/add",
        data=_new_household_form(client, head_nik=mismatched),
        follow_redirects=True,
    )
    assert "berbeda dengan tanggal lahir" in response.get_data(as_text=True)
    assert _count(app, "household") == 1


def test_form_without_csrf_token_writes_nothing(app, client, login):
    login("admin")
    data = _new_household_form(client)
    del data["csrf_token"]
    response = client.post("/households/add", data=data)
    assert response.status_code == 400
    assert _count(app, "household") == 0


def test_household_page_shows_members_and_adds_one(app, client, login, make_household):
    household_id = make_household()
    login("admin")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert "Budi Santoso" in page and "Siti Aminah" in page
    birth = datetime.date(2010, 1, 9)
    from app.extensions import db
    from models import Family

    with app.app_context():
        kk = db.session.scalar(
            sa.select(Family.kk_number).where(Family.household_id == household_id)
        )
    add_url = f"/members/add?_flt_0_household={household_id}"
    response = client.post(
        add_url,
        data={
            "csrf_token": csrf_token(client, add_url),
            "nik": nik_for(BANDUNG_VILLAGE, birth, None),
            "full_name": "Dede Kurniawan",
            "kk_number": kk,
            "relation_to_head": "CHILD",
            "sex": "MALE",
            "birth_date": birth.isoformat(),
            "disability": "NONE",
            "chronic_illness": "NONE",
            "status": "ACTIVE",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Dede Kurniawan" in client.get(f"/households/show/{household_id}").get_data(as_text=True)


def test_second_head_is_refused(app, client, login, make_household):
    household_id = make_household()
    login("admin")
    birth = datetime.date(1990, 1, 9)
    add_url = f"/members/add?_flt_0_household={household_id}"
    response = client.post(
        add_url,
        data={
            "csrf_token": csrf_token(client, add_url),
            "nik": nik_for(BANDUNG_VILLAGE, birth, None),
            "full_name": "Kepala Kedua",
            "kk_number": kk_for(BANDUNG_VILLAGE),
            "relation_to_head": "HEAD",
            "sex": "MALE",
            "birth_date": birth.isoformat(),
            "disability": "NONE",
            "chronic_illness": "NONE",
            "status": "ACTIVE",
        },
    )
    assert "sudah memiliki kepala" in response.get_data(as_text=True)
    assert _count(app, "member") == 2


def test_search_by_nik_kk_and_name(app, client, login, make_household):
    make_household(address="Jl. Pertama")
    other = make_household(address="Jl. Kedua")
    from app.extensions import db
    from models import Family, Member

    with app.app_context():
        nik = db.session.scalar(sa.select(Member.nik).where(Member.household_id == other))
        kk = db.session.scalar(sa.select(Family.kk_number).where(Family.household_id == other))
    login("admin")
    for arg in (f"_flt_0_nik={nik}", f"_flt_0_kk_number={kk}"):
        html = client.get(f"/households/list/?{arg}").get_data(as_text=True)
        assert "Jl. Kedua" in html and "Jl. Pertama" not in html, arg
    html = client.get("/households/list/?_flt_0_member_name=siti").get_data(as_text=True)
    assert "Jl. Kedua" in html and "Jl. Pertama" in html


def test_region_filter_at_every_level(app, client, login, make_household):
    make_household(BANDUNG_VILLAGE, address="Jl. Bandung")
    make_household(BOGOR_VILLAGE, address="Jl. Bogor")
    login("admin")
    for code, shown, hidden in (
        ("32.73", "Jl. Bandung", "Jl. Bogor"),
        ("32.01.01", "Jl. Bogor", "Jl. Bandung"),
        (BANDUNG_VILLAGE, "Jl. Bandung", "Jl. Bogor"),
    ):
        html = client.get(f"/households/list/?_flt_0_region={code}").get_data(as_text=True)
        assert shown in html and hidden not in html, code
    html = client.get("/households/list/?_flt_0_region=32").get_data(as_text=True)
    assert "Jl. Bandung" in html and "Jl. Bogor" in html


def test_page_size_is_capped(app, client, login, make_household, monkeypatch):
    for index in range(4):
        make_household(address=f"Jl. Batas {index}")
    monkeypatch.setitem(app.config, "MAX_PAGE_SIZE", 3)
    login("admin")
    html = client.get("/households/list/?psize_HouseholdView=100000").get_data(as_text=True)
    assert html.count("Jl. Batas") == 3


def test_household_page_offers_edit_and_saves_an_edit(app, client, login, make_household):
    household_id = make_household()
    login("operator.bandung")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert f"/households/edit/{household_id}" in page
    edit_url = f"/households/edit/{household_id}"
    response = client.post(
        edit_url,
        data={
            **form_defaults(client, edit_url),
            "village_code": BANDUNG_VILLAGE,
            "address": "Jl. Baru 5",
            "welfare_decile": "3",
            "floor_type": "CERAMIC",
            "has_television": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert "Jl. Baru 5" in page and "Keramik" in page


def test_unknown_choice_in_a_form_is_a_form_error(app, client, login, make_household):
    household_id = make_household()
    login("operator.bandung")
    edit_url = f"/households/edit/{household_id}"
    response = client.post(
        edit_url,
        data={
            **form_defaults(client, edit_url),
            "village_code": BANDUNG_VILLAGE,
            "address": "Jl. Baru 5",
            "floor_type": "GOLD",
        },
    )
    assert response.status_code == 200
    assert "Jl. Baru 5" not in client.get(f"/households/show/{household_id}").get_data(as_text=True)


def test_village_search_returns_a_page_not_the_table(app, client, login):
    login("operator.bandung")
    data = client.get("/regions/picker/search?level=4&q=a").get_json()
    assert 0 < len(data["results"]) <= 20
    data = client.get("/regions/picker/search?level=4&q=32.73.01").get_json()
    assert all(r["id"].startswith("32.73.01.") for r in data["results"])


def test_add_household_page_is_small_and_quick(app, client, login):
    import time

    login("admin")
    start = time.perf_counter()
    response = client.get("/households/add")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    assert len(response.data) < 200_000
    assert len(re.findall(r"<option", response.get_data(as_text=True))) < 500
    assert elapsed < 5  # generous; the benchmark measures the real figure


def test_head_cannot_be_demoted_or_deleted(app, client, login, make_household):
    household_id = make_household()
    from app.extensions import db
    from models import Member

    with app.app_context():
        head = db.session.scalar(
            sa.select(Member).where(
                Member.household_id == household_id, Member.relation_to_head == "HEAD"
            )
        )
        head_id, nik, kk = head.id, head.nik, head.family.kk_number
        birth = head.birth_date
    login("admin")
    edit_url = f"/members/edit/{head_id}"
    response = client.post(
        edit_url,
        data={
            **form_defaults(client, edit_url),
            "nik": nik,
            "full_name": "Budi Santoso",
            "kk_number": kk,
            "relation_to_head": "CHILD",
            "sex": "MALE",
            "birth_date": birth.isoformat(),
            "disability": "NONE",
            "chronic_illness": "NONE",
            "status": "ACTIVE",
        },
    )
    assert "tepat satu kepala" in response.get_data(as_text=True)
    token = csrf_token(client, f"/households/show/{household_id}")
    client.post(f"/members/delete/{head_id}", data={"csrf_token": token}, follow_redirects=True)
    with app.app_context():
        assert db.session.get(Member, head_id).relation_to_head.name == "HEAD"


def test_deleting_a_household_removes_its_families_and_members(app, client, login, make_household):
    household_id = make_household()
    login("admin")
    token = csrf_token(client, f"/households/show/{household_id}")
    client.post(f"/households/delete/{household_id}", data={"csrf_token": token})
    assert _count(app, "household") == 0
    assert _count(app, "member") == 0
    assert _count(app, "family") == 0


def test_household_page_offers_proposals_to_the_operator(app, client, login, make_household):
    household_id = make_household()
    login("operator.bandung")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert f"/proposals/members/add?_flt_0_household={household_id}" in page
    assert f"/proposals/deactivate?household={household_id}" in page
    assert client.get(f"/proposals/members/add?_flt_0_household={household_id}").status_code == 200


def test_an_edit_keeps_the_coordinates_to_the_sixth_decimal(app, client, login, make_household):
    """The edit form carries latitude/longitude at full precision: correcting another field must
    not round them (which would also put a false change in the audit trail)."""
    from app.extensions import db
    from models import AuditEntry, Household

    household_id = make_household()
    with app.app_context():
        household = db.session.get(Household, household_id)
        household.latitude, household.longitude = -6.901211, 107.631256
        db.session.commit()
    login("operator.bandung")
    edit_url = f"/households/edit/{household_id}"
    html = client.get(edit_url).get_data(as_text=True)
    shown = {
        name: re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)
        for name in ("latitude", "longitude")
    }
    assert shown == {"latitude": "-6.901211", "longitude": "107.631256"}
    response = client.post(
        edit_url,
        data={
            **form_defaults(client, edit_url),
            **shown,
            "village_code": BANDUNG_VILLAGE,
            "address": "Jl. Koordinat 1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        household = db.session.get(Household, household_id)
        assert household.address == "Jl. Koordinat 1"
        assert (float(household.latitude), float(household.longitude)) == (-6.901211, 107.631256)
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.entity == "household",
                AuditEntry.entity_id == str(household_id),
                AuditEntry.action == "update",
            )
            .order_by(AuditEntry.id.desc())
        ).first()
        assert "latitude" not in (entry.after or {}) and "address" in entry.after


def test_household_page_has_one_tab_per_related_list(app, client, login, make_household):
    household_id = make_household()
    login("admin")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    tabs = re.findall(r'data-toggle="tab"[^>]*>(.*?)</a>', page, re.S)
    assert [tab.strip() for tab in tabs] == [
        "Rincian",
        "Keluarga",
        "Anggota Rumah Tangga",
        "Kepesertaan Program",
    ]
