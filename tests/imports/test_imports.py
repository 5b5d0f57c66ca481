"""Bulk import of households from CSV through the command line: idempotent, all or nothing,
every kind of bad file refused with an error report in Indonesian, scoped to the importer's
region and role, an operator's households entering as draft proposals."""

import csv
import io

import pytest
import sqlalchemy as sa

from tests.conftest import BOGOR_VILLAGE
from tests.fixtures.imports import (
    SAMPLE,
    as_csv,
    counts,
    one_household,
    run_cli,
    sample_rows,
    total_rows,
)


# -- the sample, twice --------------------------------------------------------------------------
def test_sample_imported_twice_second_run_changes_nothing(app, tmp_path):
    from app.extensions import db

    result, problems = run_cli(app, tmp_path, SAMPLE.read_bytes())
    assert result.exit_code == 0, result.output
    assert not problems
    rows = sample_rows()
    households = len({row["register_id"] for row in rows})
    first = counts(app)
    assert first["household"] == households and first["member"] == len(rows)
    assert f"{households} added" in result.output or f"{households} ditambahkan" in result.output
    with app.app_context():
        versions = db.session.execute(sa.text("SELECT id, version FROM member ORDER BY id")).all()
        audit = db.session.scalar(sa.text("SELECT count(*) FROM audit_entry"))
        created = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM audit_entry WHERE action = 'create' AND entity = 'member' "
                "AND username = 'system'"
            )
        )
    assert created >= len(rows)

    again, problems = run_cli(app, tmp_path, SAMPLE.read_bytes())
    assert again.exit_code == 0, again.output
    assert counts(app) == first
    with app.app_context():
        assert (
            db.session.execute(sa.text("SELECT id, version FROM member ORDER BY id")).all()
            == versions
        )
        # Only the import itself is recorded, no change to any record.
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_entry")) == audit + 1
        last = db.session.execute(
            sa.text("SELECT action, entity, after FROM audit_entry ORDER BY id DESC LIMIT 1")
        ).one()
    assert last.action == "import" and last.entity == "import"
    assert "0 added, 0 updated" in again.output or "0 ditambahkan, 0 diubah" in again.output


def test_changed_value_updates_with_new_version_and_audit(app, tmp_path):
    from app.extensions import db

    run_cli(app, tmp_path, SAMPLE.read_bytes())
    rows = sample_rows()
    target = rows[0]["register_id"]
    for row in rows:
        if row["register_id"] == target:
            row["address"] = "Jl. Baru No. 9"
    rows[0]["full_name"] = "=cmd|' /C calc'!A0"
    result, problems = run_cli(app, tmp_path, as_csv(rows), "--user", "operator.bandung")
    assert result.exit_code == 0, (result.output, problems)
    with app.app_context():
        household = db.session.execute(
            sa.text("SELECT address, version FROM household WHERE register_id = :r"), {"r": target}
        ).one()
        name = db.session.scalar(
            sa.text("SELECT full_name FROM member WHERE nik = :n"), {"n": rows[0]["nik"]}
        )
        entry = db.session.execute(
            sa.text(
                "SELECT username, before, after FROM audit_entry WHERE entity = 'household' "
                "AND action = 'update' ORDER BY id DESC LIMIT 1"
            )
        ).one()
    assert household.address == "Jl. Baru No. 9" and household.version == 2
    assert name == "=cmd|' /C calc'!A0"  # stored as text, as typed
    assert entry.username == "operator.bandung"
    assert "Jl. Baru No. 9" in str(entry.after)


# -- all or nothing -----------------------------------------------------------------------------
def test_ten_thousand_rows_with_one_bad_row_write_nothing(app, tmp_path):
    from app.demo import import_files

    with app.app_context():
        content = import_files.csv_bytes(2_900, seed=77)
    lines = content.decode().splitlines()
    assert len(lines) > 10_001 - 600
    header = lines[0].split(",")
    bad_index = 6_000  # spreadsheet row 6001
    cells = next(csv.reader([lines[bad_index]]))
    cells[header.index("birth_date")] = "1985-02-30"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    lines[bad_index] = buffer.getvalue()
    before = counts(app)
    result, problems = run_cli(app, tmp_path, "\n".join(lines).encode())
    assert result.exit_code == 1
    assert counts(app) == before
    assert problems == [[str(bad_index + 1), "birth_date", problems[0][2]]]
    assert "YYYY-MM-DD" in problems[0][2]


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("latin-1", "UTF-8"),
        ("utf-16", "UTF-16"),
    ],
)
def test_other_encodings_are_refused(app, tmp_path, encoding, expected):
    rows = [one_household(full_name="Dédé Suhérman")]
    content = as_csv(rows).decode().encode(encoding)
    result, problems = run_cli(app, tmp_path, content)
    assert result.exit_code == 1
    assert expected in problems[0][2] and problems[0][0] == "1"
    assert total_rows(app, "household") == 0


def test_utf8_with_bom_and_semicolons_are_read(app, tmp_path):
    content = b"\xef\xbb\xbf" + as_csv([one_household(full_name="Dédé")], delimiter=";")
    result, problems = run_cli(app, tmp_path, content)
    assert result.exit_code == 0, problems
    assert total_rows(app, "member") == 1


def test_missing_extra_and_misdelimited_columns(app, tmp_path):
    row = one_household()
    header = [name for name in row if name != "nik"]
    _result, problems = run_cli(app, tmp_path, as_csv([row], header=header))
    assert problems[0][:2] == ["1", "header"] and "nik" in problems[0][2]

    extra = dict(row, favourite_colour="biru")
    _result, problems = run_cli(app, tmp_path, as_csv([extra]))
    assert "favourite_colour" in problems[0][2]

    _result, problems = run_cli(app, tmp_path, as_csv([row], delimiter="\t"))
    assert problems[0][1] == "header" and "(;)" in problems[0][2]
    assert total_rows(app, "household") == 0


def test_row_with_too_many_cells_is_named(app, tmp_path):
    content = as_csv([one_household()]) + b"1,2,3\n"
    _result, problems = run_cli(app, tmp_path, content)
    assert problems[0][0] == "3"
    assert total_rows(app, "household") == 0


def test_unreadable_rows_and_quoted_header(app, tmp_path):
    content = as_csv([one_household()])
    quoted = b",".join(b'"%s"' % name for name in content.split(b"\n", 1)[0].split(b","))
    result, problems = run_cli(app, tmp_path, quoted + b"\n" + content.split(b"\n", 1)[1])
    assert result.exit_code == 0, problems
    row = one_household(
        register_id="32730000000002",
        nik="3273010511780002",
        kk_number="3273011501200002",
        full_name="Ada\x00Nul",
    )
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    assert problems[0][:2] == ["1", "file"] and "2" in problems[0][2] and "NUL" in problems[0][2]
    row["full_name"] = "x" * 200_000
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    assert problems[0][:2] == ["1", "file"]
    assert total_rows(app, "household") == 1


def test_formula_payloads_are_neutralised_in_the_report(app, tmp_path):
    row = one_household(sex='=HYPERLINK("http://x")', full_name="+62 @evil")
    row["nik"] = "123"
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    assert {problem[1] for problem in problems} >= {"sex", "nik"}
    for problem in problems:
        for cell in problem:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_unknown_enumeration_and_required_fields(app, tmp_path):
    row = one_household(relation_to_head="BOSS", full_name="")
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    by_column = {}
    for _row, column, message in problems:
        by_column[column] = by_column.get(column, "") + message
    assert "BOSS" in by_column["relation_to_head"] and "HEAD" in by_column["relation_to_head"]
    assert "full_name" in by_column


def test_oversized_file_is_refused(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    _result, problems = run_cli(app, tmp_path, SAMPLE.read_bytes())
    assert "MB" in problems[0][2]
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10**8)
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    _result, problems = run_cli(app, tmp_path, SAMPLE.read_bytes())
    assert "3" in problems[0][2]
    assert total_rows(app, "household") == 0


# -- region and duplicates ----------------------------------------------------------------------
def test_operator_cannot_import_into_another_regency(app, tmp_path):
    row = one_household(BOGOR_VILLAGE)
    result, problems = run_cli(app, tmp_path, as_csv([row]), "--user", "operator.bandung")
    assert result.exit_code == 1
    assert problems[0][:2] == ["2", "village_code"] and BOGOR_VILLAGE in problems[0][2]
    assert total_rows(app, "household") == 0
    result, problems = run_cli(app, tmp_path, as_csv([row]), "--user", "admin")
    assert result.exit_code == 0, problems


def test_operator_without_import_role_and_unknown_user(app, tmp_path):
    result, _problems = run_cli(app, tmp_path, SAMPLE.read_bytes(), "--user", "pengawas")
    assert result.exit_code == 1 and "pengawas" not in result.output.lower()
    result, _problems = run_cli(app, tmp_path, SAMPLE.read_bytes(), "--user", "nobody")
    assert result.exit_code == 1


def test_duplicated_nik_within_the_file_and_against_the_register(app, tmp_path, make_household):
    from app.extensions import db

    rows = sample_rows()[:2]
    rows[1]["nik"] = rows[0]["nik"]
    _result, problems = run_cli(app, tmp_path, as_csv(rows))
    assert ["3", "nik"] == problems[0][:2] and "2" in problems[0][2]

    household_id = make_household()
    with app.app_context():
        nik, kk = db.session.execute(
            sa.text(
                "SELECT m.nik, f.kk_number FROM member m JOIN family f ON f.id = m.family_id "
                "WHERE m.household_id = :h AND m.relation_to_head = 'HEAD'"
            ),
            {"h": household_id},
        ).one()
    row = one_household(nik=nik)
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    assert problems[0][:2] == ["2", "nik"] and nik in problems[0][2]
    row = one_household(kk_number=kk)
    _result, problems = run_cli(app, tmp_path, as_csv([row]))
    assert problems[0][:2] == ["2", "kk_number"]
    assert total_rows(app, "household") == 1


def test_operator_import_enters_as_draft_proposals(app, tmp_path):
    from app.extensions import db

    households = len({row["register_id"] for row in sample_rows()})
    checked, _ = run_cli(
        app, tmp_path, SAMPLE.read_bytes(), "--user", "operator.bandung", "--dry-run"
    )
    assert f"Usulan: {households}." in checked.output  # a check counts the drafts it would make
    result, problems = run_cli(app, tmp_path, SAMPLE.read_bytes(), "--user", "operator.bandung")
    assert result.exit_code == 0, problems
    with app.app_context():
        statuses = set(db.session.scalars(sa.text("SELECT DISTINCT status FROM household")))
        proposals = db.session.execute(sa.text("SELECT kind, status FROM proposal")).all()
    assert statuses == {"PROPOSED"}
    assert {tuple(p) for p in proposals} == {("NEW_HOUSEHOLD", "DRAFT")}
    assert len(proposals) == len({row["register_id"] for row in sample_rows()})
