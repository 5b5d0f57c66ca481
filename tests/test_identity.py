"""NIK and KK rules (DESIGN §3), as every door applies them."""
import datetime

from models.enums import Sex
from tests.conftest import BANDUNG_VILLAGE


def test_valid_nik_has_no_errors_or_warnings(app_context):
    from app.identity import check_nik

    check = check_nik("3273011708750001", datetime.date(1975, 8, 17), Sex.MALE)
    assert check.ok and not check.warnings
    assert check.value == "3273011708750001"


def test_separators_are_ignored(app_context):
    from app.identity import check_nik

    assert check_nik("3273 0117 0875 0001").value == "3273011708750001"


def test_malformed_nik_is_an_error(app_context):
    from app.identity import check_nik

    for bad in ("", "123", "32730117087500011", "32730117087500AB"):
        check = check_nik(bad)
        assert not check.ok
        assert "16 digit" in check.errors[0]


def test_impossible_birth_date_is_an_error(app_context):
    from app.identity import check_nik

    assert not check_nik("3273013102750001").ok  # 31 February
    assert not check_nik("3273017213750001").ok  # month 13 (day 72 = 32 for a woman)


def test_unknown_province_zero_codes_and_zero_serial_are_errors(app_context):
    from app.identity import check_nik

    assert not check_nik("9973011708750001").ok
    assert not check_nik("3200011708750001").ok
    assert not check_nik("3273011708750000").ok


def test_female_day_plus_forty(app_context):
    from app.identity import check_nik

    check = check_nik("3273015708750002", datetime.date(1975, 8, 17), Sex.FEMALE)
    assert check.ok and not check.warnings


def test_birth_date_and_sex_mismatch_are_warnings_in_indonesian(app_context):
    from app.identity import check_nik

    check = check_nik("3273011708750001", datetime.date(1975, 8, 18), Sex.FEMALE)
    assert check.ok
    assert len(check.warnings) == 2
    assert any("tanggal lahir" in warning for warning in check.warnings)
    assert any("Perempuan" in warning or "Laki-laki" in warning for warning in check.warnings)


def test_duplicate_living_nik_is_an_error_but_a_deceased_one_is_not(app, make_household):
    from app.extensions import db
    from app.identity import validate_member_identity
    from models import Member
    from models.enums import MemberStatus

    make_household(BANDUNG_VILLAGE)
    with app.app_context():
        member = db.session.scalars(db.select(Member)).first()
        check = validate_member_identity(member.nik, member.birth_date, member.sex)
        assert not check.ok and "sudah dimiliki" in check.errors[0]
        assert validate_member_identity(member.nik, member.birth_date, member.sex,
                                        member_id=member.id).ok
        member.status = MemberStatus.DECEASED
        db.session.commit()
        assert validate_member_identity(member.nik, member.birth_date, member.sex).ok


def test_kk_number_rules(app_context):
    from app.identity import check_kk

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
            db.session.execute(sa.insert(Member).values(
                nik=member.nik, full_name="Kembar", family_id=member.family_id,
                household_id=member.household_id, relation_to_head="CHILD", sex="MALE",
                birth_date=member.birth_date, disability="NONE", chronic_illness="NONE",
                status="ACTIVE", version=1))
        db.session.rollback()
