"""Numbers held outside the importer's region (app.security.lookups): an import learns only that
they are registered — not whose, nor where — for so many a day, then a count alone; numbers
held in its own region are still named."""

import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.fixtures.imports import (
    as_csv,
    one_household,
    run_cli,
    total_rows,
)

# -- numbers held outside the importer's region (app.security.lookups) -----------------------------
ELSEWHERE = "sudah terdaftar dan tidak dapat digunakan"


def bandung_household(app, make_household) -> dict:
    from app.extensions import db

    household_id = make_household(BANDUNG_VILLAGE)
    with app.app_context():
        register_id, nik, kk = db.session.execute(
            sa.text(
                "SELECT h.register_id, m.nik, f.kk_number FROM household h "
                "JOIN member m ON m.household_id = h.id JOIN family f ON f.id = m.family_id "
                "WHERE h.id = :h AND m.relation_to_head = 'HEAD'"
            ),
            {"h": household_id},
        ).one()
    return {"register_id": register_id, "nik": nik, "kk": kk}


def bogor_rows(foreign: dict) -> list[dict]:
    """Three Bogor households of a Bogor operator's file, each naming one Bandung number."""
    return [
        one_household(
            BOGOR_VILLAGE,
            register_id=foreign["register_id"],
            nik="3201010511780002",
            kk_number="3201011501200002",
        ),
        one_household(
            BOGOR_VILLAGE,
            register_id="32010000000003",
            nik=foreign["nik"],
            kk_number="3201011501200003",
        ),
        one_household(
            BOGOR_VILLAGE,
            register_id="32010000000004",
            nik="3201010511780004",
            kk_number=foreign["kk"],
        ),
    ]


def test_an_import_learns_only_that_foreign_numbers_are_registered(
    app, tmp_path, make_household, audit_trail
):
    foreign = bandung_household(app, make_household)
    result, problems = run_cli(
        app, tmp_path, as_csv(bogor_rows(foreign)), "--user", "operator.bogor"
    )
    assert result.exit_code == 1
    assert [problem[:2] for problem in problems] == [
        ["2", "register_id"],
        ["3", "nik"],
        ["4", "kk_number"],
    ]
    assert all(ELSEWHERE in problem[2] for problem in problems)
    text = " ".join(problem[2] for problem in problems)
    for told in ("luar wilayah", "rumah tangga lain", "dimiliki", "kepala"):
        assert told not in text
    ((who, _entity, details),) = audit_trail("identity_conflict")
    assert who == "operator.bogor"
    assert details == {"number": "any", "count": 3, "door": "import"}
    assert total_rows(app, "household") == 1


def test_an_import_says_nothing_of_a_foreign_households_head(app, tmp_path, make_household):
    foreign = bandung_household(app, make_household)
    reports = []
    for nik, relation in (
        (foreign["nik"], "HEAD"),
        ("3201010511780009", "HEAD"),
        ("3201010511780009", "CHILD"),
    ):
        row = one_household(
            BOGOR_VILLAGE,
            register_id=foreign["register_id"],
            nik=nik,
            kk_number="3201011501200009",
            relation_to_head=relation,
        )
        _result, problems = run_cli(app, tmp_path, as_csv([row]), "--user", "operator.bogor")
        reports.append([problem for problem in problems if problem[1] != "nik"])
    # The same answer whoever the file names as head; a new household needs its head itself.
    assert (
        reports[0]
        == reports[1]
        == [["2", "register_id", f"ID register {foreign['register_id']} {ELSEWHERE}."]]
    )
    assert not [problem for problem in reports[2] if "sudah memiliki kepala" in problem[2]]


def test_past_the_allowance_a_file_gets_one_count_and_no_rows(app, tmp_path, make_household):
    foreign = bandung_household(app, make_household)
    app.config["LOOKUP_CONFLICT_DAILY_QUOTA"] = 2
    try:
        _result, over = run_cli(
            app, tmp_path, as_csv(bogor_rows(foreign)), "--user", "operator.bogor"
        )
        _result, after = run_cli(
            app, tmp_path, as_csv(bogor_rows(foreign)[1:2]), "--user", "operator.bogor"
        )
    finally:
        app.config["LOOKUP_CONFLICT_DAILY_QUOTA"] = 50
    assert len(over) == 1 and over[0][:2] == ["1", "file"]
    assert over[0][2].startswith(f"3 ID register, nomor KK, atau NIK dalam berkas ini {ELSEWHERE}")
    assert "(2 dalam 24 jam)" in over[0][2]
    for number in foreign.values():
        assert number not in over[0][2]
    assert len(after) == 1 and after[0][2].startswith("1 ID register") and "(0 dalam" in after[0][2]


def test_numbers_held_in_the_importers_region_are_still_named(
    app, tmp_path, make_household, audit_trail
):
    own = bandung_household(app, make_household)
    row = one_household(BANDUNG_VILLAGE, nik=own["nik"], kk_number=own["kk"])
    _result, problems = run_cli(app, tmp_path, as_csv([row]), "--user", "operator.bandung")
    messages = {problem[1]: problem[2] for problem in problems}
    assert "sudah dimiliki orang lain" in messages["nik"]
    assert "sudah tercatat pada rumah tangga lain" in messages["kk_number"]
    assert audit_trail("identity_conflict") == []
