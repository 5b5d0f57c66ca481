"""Bulk import of households from CSV: the command line and the upload page, all or nothing,
idempotent, scoped, with an error report in Indonesian that tells nothing of other regions."""

import csv
import io

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, ROOT, csrf_token

SAMPLE = ROOT / "docs" / "samples" / "import-households.csv"


# -- helpers ------------------------------------------------------------------------------------
def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def as_csv(rows: list[dict], delimiter=",", header=None) -> bytes:
    header = header or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, header, delimiter=delimiter, lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def one_household(village=BANDUNG_VILLAGE, register_id=None, **member) -> dict:
    """The first row of the sample (a head) moved to `village`, with changes."""
    row = dict(sample_rows()[0])
    district = village.replace(".", "")
    row.update(
        village_code=village,
        register_id=register_id or district[:4] + "0000000001",
        kk_number=district[:6] + "1501200001",
        nik=district[:6] + "0511780001",
    )
    row.update(member)
    return row


def run_cli(app, tmp_path, content: bytes, *options, name="households.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["datakesos", "import", str(path), *options])
    report = path.with_name(name + ".errors.csv")
    problems = []
    if report.exists():
        problems = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))[1:]
    return result, problems


def counts(app) -> dict:
    from app.extensions import db

    with app.app_context():
        return {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("household", "family", "member", "proposal")
        }


def total_rows(app, table):
    return counts(app)[table]


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


# -- the upload page ----------------------------------------------------------------------------
def upload(client, content: bytes, name="rumah-tangga.csv", token=None):
    token = token or csrf_token(client, "/import/")
    return client.post(
        "/import/upload",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def latest_job(app):
    from app import jobs
    from app.imports.jobs import KIND

    with app.app_context():
        run = jobs.run_next(KIND)
        return run.id


def test_upload_page_imports_and_shows_the_result(app, client, login):
    login("operator.bandung")
    page = client.get("/import/")
    assert page.status_code == 200
    assert "/import/sample.csv" in page.get_data(as_text=True)
    assert "masuk sebagai draf usulan" in page.get_data(as_text=True)
    assert client.get("/import/sample.csv").data == SAMPLE.read_bytes()
    response = upload(client, SAMPLE.read_bytes())
    assert response.status_code == 303
    job_id = latest_job(app)
    status = client.get(f"/import/{job_id}/status.json").get_json()
    assert status["applied"] and status["percent"] == 100
    assert status["counts"]["members_added"] == len(sample_rows())
    html = client.get("/import/").get_data(as_text=True)
    assert "rumah-tangga.csv" in html
    assert total_rows(app, "proposal") == len({row["register_id"] for row in sample_rows()})

    upload(client, SAMPLE.read_bytes())
    again = client.get(f"/import/{latest_job(app)}/status.json").get_json()
    assert again["changes"] == 0 and again["counts"]["members_unchanged"] == len(sample_rows())


def test_upload_error_report_belongs_to_its_owner(app, client, login):
    login("operator.bandung")
    rows = sample_rows()
    rows[3]["sex"] = "X"
    upload(client, as_csv(rows))
    job_id = latest_job(app)
    status = client.get(f"/import/{job_id}/status.json").get_json()
    assert status["error_count"] == 1 and not status["applied"]
    report = client.get(status["errors_url"])
    assert report.status_code == 200 and report.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Baris", "Kolom", "Pesan"]
    assert lines[1][:2] == ["5", "sex"]
    assert total_rows(app, "household") == 0

    client.get("/logout/")
    login("operator.bogor")
    assert client.get(status["errors_url"]).status_code == 404
    assert client.get(f"/import/{job_id}/status.json").status_code == 404
    client.get("/logout/")
    login("admin")
    assert client.get(status["errors_url"]).status_code == 404


def test_upload_needs_csrf_and_the_import_right(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/import/upload",
        data={"file": (io.BytesIO(SAMPLE.read_bytes()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    client.get("/logout/")
    login("pengawas")
    assert client.get("/import/").status_code in (302, 403)


def test_upload_over_the_size_limit_answers_in_indonesian(app, client, login, monkeypatch):
    login("operator.bandung")
    token = csrf_token(client, "/import/")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, b"x" * 5000, token=token)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "lebih besar" in html and "Import" in html or "Impor" in html
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    response = upload(client, SAMPLE.read_bytes(), token=token)
    assert response.status_code == 413 and "lebih besar" in response.get_data(as_text=True)


def test_the_upload_page_tells_an_administrator_that_records_enter_directly(client, login):
    login("admin")
    page = client.get("/import/").get_data(as_text=True)
    assert "langsung masuk ke data terpadu" in page and "draf usulan" not in page


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
