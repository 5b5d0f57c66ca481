"""NIK and KK rules (DESIGN §3), as every door applies them; a number held outside the user's
region is only "already registered", within an allowance (app.security.lookups)."""

import datetime

import sqlalchemy as sa

from models.enums import Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, bearer, form_defaults, signed_in


def test_valid_nik_has_no_errors_or_warnings(app_context):
    from app.register.identity import check_nik

    check = check_nik("3273011708750001", datetime.date(1975, 8, 17), Sex.MALE)
    assert check.ok and not check.warnings
    assert check.value == "3273011708750001"


def test_separators_are_ignored(app_context):
    from app.register.identity import check_nik

    assert check_nik("3273 0117 0875 0001").value == "3273011708750001"


def test_malformed_nik_is_an_error(app_context):
    from app.register.identity import check_nik

    for bad in ("", "123", "32730117087500011", "32730117087500AB"):
        check = check_nik(bad)
        assert not check.ok
        assert "16 digit" in check.errors[0]


def test_impossible_birth_date_is_an_error(app_context):
    from app.register.identity import check_nik

    assert not check_nik("3273013102750001").ok  # 31 February
    assert not check_nik("3273017213750001").ok  # month 13 (day 72 = 32 for a woman)


def test_unknown_province_zero_codes_and_zero_serial_are_errors(app_context):
    from app.register.identity import check_nik

    assert not check_nik("9973011708750001").ok
    assert not check_nik("3200011708750001").ok
    assert not check_nik("3273011708750000").ok


def test_female_day_plus_forty(app_context):
    from app.register.identity import check_nik

    check = check_nik("3273015708750002", datetime.date(1975, 8, 17), Sex.FEMALE)
    assert check.ok and not check.warnings


def test_birth_date_and_sex_mismatch_are_warnings_in_indonesian(app_context):
    from app.register.identity import check_nik

    check = check_nik("3273011708750001", datetime.date(1975, 8, 18), Sex.FEMALE)
    assert check.ok
    assert len(check.warnings) == 2
    assert any("tanggal lahir" in warning for warning in check.warnings)
    assert any("Perempuan" in warning or "Laki-laki" in warning for warning in check.warnings)


def test_duplicate_living_nik_is_an_error_but_a_deceased_one_is_not(app, make_household):
    from app.extensions import db
    from app.register.identity import validate_member_identity
    from models import Member
    from models.enums import MemberStatus

    make_household(BANDUNG_VILLAGE)
    with app.app_context():
        member = db.session.scalars(db.select(Member)).first()
        check = validate_member_identity(member.nik, member.birth_date, member.sex)
        assert not check.ok and "sudah dimiliki" in check.errors[0]
        assert validate_member_identity(
            member.nik, member.birth_date, member.sex, member_id=member.id
        ).ok
        member.status = MemberStatus.DECEASED
        db.session.commit()
        assert validate_member_identity(member.nik, member.birth_date, member.sex).ok


def test_kk_number_rules(app_context):
    from app.register.identity import check_kk

    assert check_kk("3273011501200001").ok
    assert not check_kk("327301150120").ok
    assert not check_kk("9973011501200001").ok
    assert not check_kk("3273013102200001").ok  # 31 February
    assert not check_kk("3273011501200000").ok


def test_database_refuses_a_second_living_nik(app, make_household):
    import pytest
    import sqlalchemy as sa

    from app.extensions import db
    from models import Member

    make_household(BANDUNG_VILLAGE)
    with app.app_context():
        member = db.session.scalars(db.select(Member)).first()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.insert(Member).values(
                    nik=member.nik,
                    full_name="Kembar",
                    family_id=member.family_id,
                    household_id=member.household_id,
                    relation_to_head="CHILD",
                    sex="MALE",
                    birth_date=member.birth_date,
                    disability="NONE",
                    chronic_illness="NONE",
                    status="ACTIVE",
                    version=1,
                )
            )
        db.session.rollback()


# -- uniqueness outside the user's region: "already registered", counted (app.security.lookups) ----
ELSEWHERE = "sudah terdaftar dan tidak dapat digunakan"


def first_member(app, household_id, relation="HEAD"):
    from app.extensions import db
    from models import Member

    with app.app_context():
        member = db.session.scalar(
            sa.select(Member).where(
                Member.household_id == household_id, Member.relation_to_head == relation
            )
        )
        return {
            "id": member.id,
            "nik": member.nik,
            "kk_number": member.family.kk_number,
            "full_name": member.full_name,
            "relation_to_head": member.relation_to_head.name,
            "sex": member.sex.name,
            "birth_date": member.birth_date.isoformat(),
            "disability": "NONE",
            "chronic_illness": "NONE",
            "status": "ACTIVE",
            "version": member.version,
        }


def edit_member(client, member: dict, **changes) -> str:
    url = f"/members/edit/{member['id']}"
    data = {key: value for key, value in member.items() if key not in ("id", "version")}
    response = client.post(
        url, data={**form_defaults(client, url), **data, **changes}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_nik_or_kk_held_outside_the_region_is_only_already_registered(
    app, make_household, audit_trail
):
    bandung = first_member(app, make_household(BANDUNG_VILLAGE))
    bogor = first_member(app, make_household(BOGOR_VILLAGE), relation="SPOUSE")
    client = signed_in(app, "operator.bogor")
    page = edit_member(client, bogor, nik=bandung["nik"])
    assert f"NIK {bandung['nik']} {ELSEWHERE}" in page
    assert "dimiliki orang lain" not in page and "luar wilayah" not in page
    page = edit_member(client, bogor, kk_number=bandung["kk_number"])
    assert f"Nomor KK {bandung['kk_number']} {ELSEWHERE}" in page
    assert "rumah tangga lain" not in page

    api = app.test_client()
    response = api.put(
        f"/api/v1/member/{bogor['id']}",
        headers=bearer(api, "operator.bogor"),
        json={"nik": bandung["nik"], "version": bogor["version"]},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"]["nik"] == [f"NIK {bandung['nik']} {ELSEWHERE}."]
    entries = audit_trail("identity_conflict")
    assert [(who, details["number"], details["count"]) for who, _entity, details in entries] == [
        ("operator.bogor", "nik", 1),
        ("operator.bogor", "kk_number", 1),
        ("operator.bogor", "nik", 1),
    ]
    assert bandung["nik"] not in str(entries)


def test_a_number_held_in_the_region_is_still_named(app, make_household, audit_trail):
    first = first_member(app, make_household(BANDUNG_VILLAGE))
    second = first_member(app, make_household(BANDUNG_VILLAGE, address="Jl. Dua"), "SPOUSE")
    client = signed_in(app, "operator.bandung")
    assert "sudah dimiliki orang lain" in edit_member(client, second, nik=first["nik"])
    assert "sudah tercatat pada rumah tangga lain" in edit_member(
        client, second, kk_number=first["kk_number"]
    )
    assert audit_trail("identity_conflict") == []


def test_conflicts_outside_the_region_are_answered_within_an_allowance(
    app, make_household, audit_trail
):
    bandung = [
        first_member(app, make_household(BANDUNG_VILLAGE, address=f"Jl. {n}")) for n in range(3)
    ]
    bogor = first_member(app, make_household(BOGOR_VILLAGE), relation="SPOUSE")
    client = signed_in(app, "operator.bogor")
    app.config["LOOKUP_CONFLICT_DAILY_QUOTA"] = 2
    try:
        pages = [edit_member(client, bogor, nik=member["nik"]) for member in bandung]
    finally:
        app.config["LOOKUP_CONFLICT_DAILY_QUOTA"] = 50
    assert ELSEWHERE in pages[0] and ELSEWHERE in pages[1]
    assert ELSEWHERE not in pages[2]
    assert "Jatah 2 jawaban tentang nomor yang terdaftar di luar wilayah Anda" in pages[2]
    assert len(audit_trail("identity_conflict")) == 2
