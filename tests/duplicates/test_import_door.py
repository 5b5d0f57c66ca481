"""The fourth door, the bulk import, under the one duplicate rule: a likely duplicate of a person
in the register is a warning naming them (outside the importer's region only that one exists),
two rows of one file that are one person are each warned of the other, a file with too many
likely duplicates is refused whole, and an import keeps the blocking keys of what it wrote."""

import csv
import datetime
import io

import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, csrf_token
from tests.fixtures.imports import as_csv, counts, one_household, run_cli

FIRST = ("Agus", "Bambang", "Cahya", "Dedi", "Eko", "Fajar", "Gilang", "Hendra", "Imam", "Joko")
LAST = ("Pratama", "Wijaya", "Saputra", "Hidayat")
#: "kemungkinan besar duplikat": words of every likely-duplicate warning (app.duplicates.check).
LIKELY = "Kemungkinan besar"


def digits(village: str) -> str:
    return village.replace(".", "")


def others(village: str, count: int, start: int = 100) -> list[dict]:
    """`count` households of one head each, no two alike: another name, birth year and serial."""
    rows = []
    for index in range(count):
        born = datetime.date(1940 + index, 1 + index % 12, 1 + index % 28)
        serial = start + index
        district = digits(village)[:6]
        rows.append(
            one_household(
                village,
                register_id=f"{digits(village)[:4]}{serial:010d}",
                kk_number=f"{district}150120{serial:04d}",
                nik=f"{district}{born:%d%m%y}{serial:04d}",
                full_name=f"{FIRST[index % len(FIRST)]} {LAST[index // len(FIRST) % len(LAST)]}",
                birth_date=born.isoformat(),
                sex="MALE",
            )
        )
    return rows


def mistyped(nik: str) -> str:
    """The NIK with one digit of its serial written wrong."""
    return nik[:-2] + ("1" if nik[-2] != "1" else "2") + nik[-1]


def registered(app, make_household, village=BANDUNG_VILLAGE) -> dict:
    """A household made through the forms' service: full name → (NIK, birth date, register ID)."""
    from app.extensions import db

    household_id = make_household(village)
    with app.app_context():
        rows = db.session.execute(
            sa.text(
                "SELECT m.full_name, m.nik, m.birth_date, h.register_id FROM member m "
                "JOIN household h ON h.id = m.household_id WHERE h.id = :h"
            ),
            {"h": household_id},
        ).all()
    return {row.full_name: (row.nik, str(row.birth_date), row.register_id) for row in rows}


def again(person: tuple, village: str, serial: int, name: str, sex: str = "MALE") -> dict:
    """The registered `person` in a household of the file, under a NIK one typo away."""
    nik, born, _register_id = person
    return one_household(
        village,
        register_id=f"{digits(village)[:4]}{serial:010d}",
        kk_number=f"{digits(village)[:6]}150120{serial:04d}",
        nik=mistyped(nik),
        full_name=name,
        birth_date=born,
        sex=sex,
    )


# -- the upload page ---------------------------------------------------------------------------
def imported(app, client, content: bytes) -> dict:
    """Upload the file, run its job, and answer its status (warnings included)."""
    from app import jobs
    from app.imports.jobs import KIND

    response = client.post(
        "/import/upload",
        data={"csrf_token": csrf_token(client, "/import/"), "file": (io.BytesIO(content), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        job_id = jobs.run_next(KIND).id
    return client.get(f"/import/{job_id}/status.json").get_json()


def report_of(client, status: dict) -> list[list[str]]:
    response = client.get(status["report_url"])
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))[1:]


def test_a_likely_duplicate_is_imported_with_a_warning_naming_the_person(
    app, client, login, make_household
):
    from app.duplicates import check
    from app.extensions import db
    from models import DuplicateKey, Member

    budi = registered(app, make_household)["Budi Santoso"]
    rows = others(BANDUNG_VILLAGE, 19) + [again(budi, BANDUNG_VILLAGE, 900, "Budi Santoso")]
    login("operator.bandung")
    status = imported(app, client, as_csv(rows))
    assert status["applied"], status
    assert status["counts"]["members_added"] == 20
    ((row, column, message),) = status["warnings"]
    assert (row, column) == (21, "nik")
    assert message.startswith(LIKELY) and "Budi Santoso" in message
    assert budi[0] in message and budi[2] in message  # the record: its NIK and household
    page = client.get("/import/").get_data(as_text=True)
    assert "Budi Santoso" in page and status["report_url"] in page
    assert [line[:2] for line in report_of(client, status)] == [["21", "nik"]]

    # What it wrote has its blocking keys: the other doors meet the person imported a minute ago.
    with app.app_context():
        imported_ids = db.session.scalars(
            sa.select(Member.id).where(Member.nik.in_([r["nik"] for r in rows]))
        ).all()
        keyed = db.session.scalars(
            sa.select(DuplicateKey.member_id)
            .where(DuplicateKey.member_id.in_(imported_ids))
            .distinct()
        ).all()
        assert len(imported_ids) == len(keyed) == 20
        found = check.likely_duplicates(
            mistyped(rows[0]["nik"]),
            rows[0]["full_name"],
            datetime.date.fromisoformat(rows[0]["birth_date"]),
            "MALE",
            BANDUNG_VILLAGE,
        )
        assert [member.nik for member in found] == [rows[0]["nik"]]

    # The same file again writes nothing and raises nothing: its pairs are in the register.
    second = imported(app, client, as_csv(rows))
    assert second["applied"] and second["changes"] == 0 and second["warnings"] == []


def test_a_file_past_the_share_of_likely_duplicates_is_refused_whole(
    app, client, login, tmp_path, make_household
):
    people = registered(app, make_household)
    rows = others(BANDUNG_VILLAGE, 18) + [
        again(people["Budi Santoso"], BANDUNG_VILLAGE, 900, "Budi Santoso"),
        again(people["Siti Aminah"], BANDUNG_VILLAGE, 901, "Siti Aminah", sex="FEMALE"),
    ]
    before = counts(app)
    result, problems = run_cli(
        app, tmp_path, as_csv(rows), "--user", "operator.bandung", warnings=True
    )
    assert result.exit_code == 1
    (row, column, message), *warnings = problems
    assert (row, column) == ("1", "file")
    # The command line's report, like the page's, lists the rows behind the refusal.
    assert [line[:2] for line in warnings] == [["20", "nik"], ["21", "nik"]]
    assert message.startswith(
        "2 dari 20 baris anggota dalam berkas ini kemungkinan besar duplikat"
    ), message
    assert "batas 5% (1 baris)" in message and "Tidak ada yang diimpor" in message
    assert counts(app) == before

    # On the upload page: the refusal told, and the rows behind it in the report.
    login("operator.bandung")
    status = imported(app, client, as_csv(rows))
    assert not status["applied"] and status["error_count"] == 1
    assert status["file_errors"] == [message]
    assert message in client.get("/import/").get_data(as_text=True)
    report = report_of(client, status)
    assert report[0] == ["1", "file", message]
    assert [line[:2] for line in report[1:]] == [["20", "nik"], ["21", "nik"]]
    assert "Budi Santoso" in report[1][2] and "Siti Aminah" in report[2][2]
    assert all(line[2].startswith("Peringatan: ") for line in report[1:])
    assert counts(app) == before


def test_a_duplicate_outside_the_importers_region_says_only_that_it_exists(
    app, client, login, make_household, audit_trail
):
    from app.duplicates import check

    budi = registered(app, make_household, BANDUNG_VILLAGE)["Budi Santoso"]
    rows = others(BOGOR_VILLAGE, 19) + [again(budi, BOGOR_VILLAGE, 900, "Budi Santoso")]
    login("operator.bogor")
    status = imported(app, client, as_csv(rows))
    assert status["applied"], status
    with app.app_context():
        elsewhere = check.outside_warning()
    assert status["warnings"] == [[21, "nik", elsewhere]]
    assert "di luar wilayah Anda" in elsewhere
    nik, _born, register_id = budi
    for told in (nik, register_id, "32.73", "Bandung"):
        assert told not in elsewhere
    # Counted once for the import against the importer's allowance (app.security.lookups).
    ((who, _entity, details),) = audit_trail("identity_conflict")
    assert who == "operator.bogor"
    assert details == {"number": "any", "count": 1, "door": "import", "listed": False}


def test_two_rows_of_one_file_that_are_one_person_are_each_warned(app, client, login):
    twin = one_household(
        BANDUNG_VILLAGE,
        register_id="32730000000901",
        kk_number="3273011501200901",
        nik="3273011705800901",
        full_name="Muhammad Ridwan",
        birth_date="1980-05-17",
        sex="MALE",
    )
    # The same man in a second household, a clerk's typo in his NIK and his name written as
    # the other village writes it.
    second = dict(
        twin,
        register_id="32730000000902",
        kk_number="3273011501200902",
        nik="3273011705800910",
        full_name="Moh. Ridwan",
    )
    rows = others(BANDUNG_VILLAGE, 38) + [twin, second]
    login("operator.bandung")
    status = imported(app, client, as_csv(rows))
    assert status["applied"], status  # 2 rows of 40: the share, not past it
    assert [warning[:2] for warning in status["warnings"]] == [[40, "nik"], [41, "nik"]]
    first_warning, second_warning = (warning[2] for warning in status["warnings"])
    assert "baris 41" in first_warning and "Moh. Ridwan" in first_warning
    assert "baris 40" in second_warning and "Muhammad Ridwan" in second_warning
    assert "3273011705800910" in first_warning and "3273011705800901" in second_warning


def test_past_the_allowance_outside_duplicates_are_only_counted(
    app, client, login, make_household, monkeypatch
):
    people = registered(app, make_household, BANDUNG_VILLAGE)
    rows = others(BOGOR_VILLAGE, 38) + [
        again(people["Budi Santoso"], BOGOR_VILLAGE, 900, "Budi Santoso"),
        again(people["Siti Aminah"], BOGOR_VILLAGE, 901, "Siti Aminah", sex="FEMALE"),
    ]
    monkeypatch.setitem(app.config, "LOOKUP_CONFLICT_DAILY_QUOTA", 1)
    login("operator.bogor")
    status = imported(app, client, as_csv(rows))
    assert status["applied"], status
    ((row, column, message),) = status["warnings"]
    assert (row, column) == (1, "file")
    assert (
        message.startswith("2 baris berkas ini kemungkinan besar duplikat")
        and "(1 dalam" in message
    )
    for nik, _born, register_id in people.values():
        assert nik not in message and register_id not in message
