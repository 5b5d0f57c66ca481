"""`flask datakesos demo`: deterministic, realistic demo households and the demo users.

One module, not split: the bulk path (COPY, PostgreSQL) is held to the same register rules as
the ordinary one, through the same helpers."""

import collections
import datetime

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, USERS


def run_demo(app, *args):
    result = app.test_cli_runner().invoke(args=["datakesos", "demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def count(model) -> int:
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def empty_register() -> None:
    from app.extensions import db

    for table in ("program_membership", "member", "family", "household"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


def test_households_families_and_members_have_the_national_shape(app_context):
    from app.extensions import db
    from models import Family, Household, Member
    from models.enums import Relationship

    result = run_demo(app_context, "--households", "40")

    households, families, members = count(Household), count(Family), count(Member)
    assert households == 40
    assert families >= households
    assert 2.8 <= members / households <= 4.6  # 98.2 M people in 27 M households: ~3.6
    assert "40" in result.output
    heads = collections.Counter(
        db.session.scalars(
            sa.select(Member.household_id).where(Member.relation_to_head == Relationship.HEAD)
        )
    )
    assert len(heads) == households and set(heads.values()) == {1}
    # Every member sits in a family of its own household.
    mismatched = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Member)
        .join(Family, Member.family_id == Family.id)
        .where(Family.household_id != Member.household_id)
    )
    assert mismatched == 0
    # Each family has members.
    empty = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Family)
        .where(~sa.exists().where(Member.family_id == Family.id))
    )
    assert empty == 0


def test_every_nik_and_kk_passes_the_register_rules_without_warnings(app_context):
    from app.extensions import db
    from app.register.identity import check_kk
    from models import Family, Household

    run_demo(app_context, "--households", "40")

    rows = _members_with_valid_niks()
    assert len({row.nik for row in rows}) == len(rows)

    kk_rows = db.session.execute(
        sa.select(Family.kk_number, Household.village_code).join(
            Household, Family.household_id == Household.id
        )
    ).all()
    for kk_number, village in kk_rows:
        check = check_kk(kk_number)
        assert (check.errors, check.warnings) == ([], []), kk_number
        assert kk_number.startswith(village[:8].replace(".", ""))
    assert len({row.kk_number for row in kk_rows}) == len(kk_rows)

    for register_id, village in db.session.execute(
        sa.select(Household.register_id, Household.village_code)
    ):
        assert len(register_id) == 14 and register_id.isdigit()
        assert register_id[:4] == village[:5].replace(".", "")


def test_the_same_seed_gives_the_same_people(app_context):
    from app.extensions import db
    from models import Household, Member

    def snapshot():
        return (
            list(db.session.scalars(sa.select(Household.register_id).order_by(Household.id))),
            list(
                db.session.execute(
                    sa.select(Member.nik, Member.full_name, Member.birth_date).order_by(Member.id)
                )
            ),
        )

    run_demo(app_context, "--households", "30", "--seed", "7")
    first = snapshot()
    empty_register()
    run_demo(app_context, "--households", "30", "--seed", "7")
    assert snapshot() == first
    empty_register()
    run_demo(app_context, "--households", "30", "--seed", "8")
    other = snapshot()
    assert set(other[0]).isdisjoint(first[0])
    assert other[1] != first[1]


def test_demo_covers_kota_bandung_and_kabupaten_bogor(app_context):
    from app.extensions import db
    from models import Household

    run_demo(app_context, "--households", "40")

    regencies = collections.Counter(
        code[:5] for code in db.session.scalars(sa.select(Household.village_code))
    )
    assert set(regencies) == {"32.73", "32.01"}
    assert regencies["32.73"] > regencies["32.01"]  # 60/40
    for latitude, longitude in db.session.execute(
        sa.select(Household.latitude, Household.longitude)
    ):
        assert -7.9 < float(latitude) < -5.8 and 106.3 < float(longitude) < 108.9  # West Java


def test_regions_option_puts_households_in_those_regions(app_context):
    from app.extensions import db
    from models import Household

    run_demo(app_context, "--households", "12", "--regions", "32.04,32.71")
    codes = {code[:5] for code in db.session.scalars(sa.select(Household.village_code))}
    assert codes <= {"32.04", "32.71"} and codes


def test_unknown_region_is_refused_and_nothing_is_written(app_context):
    from models import Household

    result = app_context.test_cli_runner().invoke(
        args=["datakesos", "demo", "--households", "5", "--regions", "99.99"]
    )
    assert result.exit_code == 1
    assert "99.99" in result.output
    assert count(Household) == 0


def test_program_memberships_follow_the_national_shares(app_context):
    from app.extensions import db
    from models import Family, Household, Member, Program, ProgramMembership
    from models.enums import MembershipStatus, TargetLevel

    run_demo(app_context, "--households", "300")

    families, members = count(Family), count(Member)
    by_program = dict(
        db.session.execute(
            sa.select(Program.code, sa.func.count(ProgramMembership.id))
            .join(ProgramMembership, ProgramMembership.program_id == Program.id)
            .group_by(Program.code)
        ).all()
    )
    assert by_program["PBI-JK"] / members > 0.5  # most people
    assert 0.25 <= by_program["PKH"] / families <= 0.45  # 10 / 28.8
    assert 0.42 <= by_program["BPNT"] / families <= 0.66  # 15.5 / 28.8
    assert 0 < by_program["PIP"] < members * 0.3
    assert 0 < by_program["RUTILAHU"] < 300 * 0.15

    poorest_people = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Member)
        .join(Household)
        .where(Household.welfare_decile <= 4)
    )
    poorest_pbi = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ProgramMembership)
        .join(Program)
        .join(Household, ProgramMembership.household_id == Household.id)
        .where(Program.code == "PBI-JK", Household.welfare_decile <= 4)
    )
    assert poorest_pbi / poorest_people > 0.9  # 96.8 of 98.2

    deciles = list(db.session.scalars(sa.select(Household.welfare_decile)))
    assert set(deciles) <= set(range(1, 11))
    assert sum(1 for d in deciles if d <= 4) / len(deciles) > 0.55

    memberships = db.session.execute(
        sa.select(ProgramMembership, Program.target_level).join(Program)
    ).all()
    for membership, level in memberships:
        assert membership.household_id is not None
        assert membership.status == MembershipStatus.ACTIVE
        assert membership.start_date <= datetime.date.today()
        assert membership.card_number
        if level == TargetLevel.PERSON:
            assert membership.member_id and membership.family_id is None
            assert membership.member.household_id == membership.household_id
            assert membership.start_date >= membership.member.birth_date
        elif level == TargetLevel.FAMILY:
            assert membership.family_id and membership.member_id is None
            assert membership.family.household_id == membership.household_id
        else:
            assert membership.family_id is None and membership.member_id is None


def test_second_run_with_the_same_seed_adds_nothing(app_context):
    from app.extensions import db
    from models import Family, Household, Member, ProgramMembership

    run_demo(app_context, "--households", "25")
    before = [count(m) for m in (Household, Family, Member, ProgramMembership)]
    result = run_demo(app_context, "--households", "25")
    assert [count(m) for m in (Household, Family, Member, ProgramMembership)] == before
    first = db.session.scalar(sa.select(Household.register_id).order_by(Household.id).limit(1))
    assert first in result.output  # names the marker it found

    # Another seed adds a second, disjoint set.
    run_demo(app_context, "--households", "25", "--seed", "99")
    assert count(Household) == 50


def test_if_empty_leaves_a_register_with_households_alone(app_context):
    from models import Household

    run_demo(app_context, "--households", "5", "--seed", "41")
    result = run_demo(app_context, "--households", "25", "--seed", "42", "--if-empty")
    assert count(Household) == 5
    assert "sudah berisi rumah tangga" in result.output


def test_demo_ids_leave_room_for_ordinary_inserts(app_context):
    """Ids are assigned by the generator; the database's own counters must move past them."""
    from app.extensions import db
    from models import Household

    run_demo(app_context, "--households", "5")
    household = Household(
        register_id="32730000000001",
        village_code="32.73.01.1001",
        address="Jl. Uji No. 1",
        welfare_decile=3,
    )
    db.session.add(household)
    db.session.commit()
    assert household.id > db.session.scalar(
        sa.select(sa.func.min(Household.id)).where(Household.id != household.id)
    )


def test_demo_users_exist_with_their_roles_and_scopes(app_context, monkeypatch):
    from app.extensions import db

    security_manager = app_context.appbuilder.sm
    # The test harness made them already; the demo leaves them alone and recreates a missing one.
    missing = security_manager.find_user(username="interkoneksi")
    missing.roles = []
    db.session.delete(missing)
    db.session.commit()
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    result = run_demo(app_context, "--households", "3")

    assert "interkoneksi" in result.output
    for username, (role, region) in USERS.items():
        user = security_manager.find_user(username=username)
        assert user is not None, username
        assert [r.name for r in user.roles] == [role]
        assert (user.region_code or "") == region
    assert security_manager.auth_user_db("interkoneksi", PASSWORD) is not None


@pytest.mark.parametrize("households", ["0", "-3", "many"])
def test_bad_household_counts_are_usage_errors(app_context, households):
    result = app_context.test_cli_runner().invoke(
        args=["datakesos", "demo", "--households", households]
    )
    assert result.exit_code == 2


# -- the bulk path (COPY, PostgreSQL) -------------------------------------------------------------
def _is_postgresql() -> bool:
    from app.extensions import db

    return db.engine.dialect.name == "postgresql"


def _index_definitions() -> list[str]:
    from app.extensions import db

    # Names (and kinds): PostgreSQL may print a rebuilt partial index's predicate differently.
    return sorted(
        db.session.scalars(
            sa.text(
                "SELECT indexname || (indexdef LIKE 'CREATE UNIQUE%')::text FROM pg_indexes WHERE "
                "tablename IN ('household', 'family', 'member', 'program_membership')"
            )
        ).all()
        + db.session.scalars(
            sa.text(
                "SELECT conname::text || contype::text || convalidated::text FROM pg_constraint "
                "WHERE conrelid::regclass::text IN "
                "('household', 'family', 'member', 'program_membership')"
            )
        ).all()
    )


def _register_snapshot():
    from app.extensions import db

    return db.session.execute(
        sa.text(
            "SELECT h.register_id, h.village_code, h.welfare_decile, m.nik, m.full_name "
            "FROM member m JOIN household h ON h.id = m.household_id "
            "ORDER BY h.register_id, m.nik"
        )
    ).all()


def test_bulk_copy_gives_a_valid_national_register_whatever_the_workers(app_context):
    if not _is_postgresql():
        pytest.skip("COPY is PostgreSQL's")
    from app.demo import bulk as demo_copy
    from app.extensions import db
    from app.register.identity import check_kk
    from models import Family, Household, Member, ProgramMembership
    from models.enums import Relationship

    indexes = _index_definitions()
    result = demo_copy.generate_bulk(600, seed=11, chunk=100, workers=2)
    assert (result.households, count(Household)) == (600, 600)
    assert count(Family) == result.families >= 600
    assert count(Member) == result.members
    assert 2.8 <= result.members / 600 <= 4.6
    assert count(ProgramMembership) == result.memberships > 0
    assert _index_definitions() == indexes  # every index and constraint is back

    rows = _members_with_valid_niks()
    assert len({row.nik for row in rows}) == len(rows)
    for (kk_number,) in db.session.execute(sa.select(Family.kk_number)):
        assert check_kk(kk_number).errors == []
    heads = collections.Counter(
        db.session.scalars(
            sa.select(Member.household_id).where(Member.relation_to_head == Relationship.HEAD)
        )
    )
    assert len(heads) == 600 and set(heads.values()) == {1}
    regencies = collections.Counter(
        db.session.scalars(sa.select(sa.func.substr(Household.village_code, 1, 5)))
    )
    assert len(regencies) > 100  # spread over the country …
    assert regencies["32.73"] >= 6 and regencies["32.01"] >= 6  # … the demo regions included

    # The same seed gives the same register with one worker; a second run adds nothing.
    first = _register_snapshot()
    assert demo_copy.generate_bulk(600, seed=11, chunk=100, workers=2).already_present
    empty_register()
    demo_copy.generate_bulk(600, seed=11, chunk=100, workers=1)
    assert _register_snapshot() == first
    # New rows after a bulk load get fresh ids from the sequences.
    assert db.session.scalar(
        sa.text("SELECT nextval(pg_get_serial_sequence('member', 'id'))")
    ) > db.session.scalar(sa.text("SELECT max(id) FROM member"))


def test_bulk_flag_is_refused_with_a_clear_message_on_sqlite(app_context):
    if _is_postgresql():
        pytest.skip("SQLite only")
    from models import Household

    result = app_context.test_cli_runner().invoke(
        args=["datakesos", "demo", "--households", "10", "--bulk"]
    )
    assert result.exit_code == 1
    assert "PostgreSQL" in result.output
    assert count(Household) == 0


def test_bulk_demo_from_the_command_line(app_context):
    if not _is_postgresql():
        pytest.skip("COPY is PostgreSQL's")
    from models import Household

    result = run_demo(app_context, "--households", "120", "--bulk", "--seed", "5")
    assert count(Household) == 120
    assert "120" in result.output


def _members_with_valid_niks() -> list:
    """Every member's (nik, birth date, sex, village), after checking each NIK is valid for
    its person and starts with its village's district code."""
    from app.extensions import db
    from app.register.identity import check_nik
    from models import Household, Member

    rows = db.session.execute(
        sa.select(Member.nik, Member.birth_date, Member.sex, Household.village_code).join(
            Household, Member.household_id == Household.id
        )
    ).all()
    for nik, birth_date, sex, village in rows:
        check = check_nik(nik, birth_date, sex)
        assert (check.errors, check.warnings) == ([], []), nik
        assert nik.startswith(village[:8].replace(".", ""))  # district of the village
        assert birth_date <= datetime.date.today()
    return rows
