"""Printed documents: registration certificates, region recaps, period minutes, village batches.

A document is read back as a person would: `pdftotext` for its words, `pdfinfo` for its pages,
and its raw bytes for anything embedded. Closed periods and their snapshots are written here
directly (the close itself is tested elsewhere) and removed after each test, so the database
keeps exactly one open period.
"""

import datetime
import http.server
import re
import shutil
import subprocess
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, session_csrf
from tests.fixtures.documents import (
    CLOSED_CODE,
    EARLIER_CODE,
    certificate_url,
    certificates_of,
    determine,
)
from tests.fixtures.factories import member_data

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


# --- helpers -----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


def pdf_pages(content: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", result.stdout.decode()).group(1))


def add_membership(app, household_id, program_code="PKH", member=False):
    from app.extensions import db
    from models import Household, Program, ProgramMembership

    with app.app_context():
        household = db.session.get(Household, household_id)
        program = db.session.scalar(sa.select(Program).where(Program.code == program_code))
        db.session.add(
            ProgramMembership(
                program_id=program.id,
                household_id=household.id,
                member_id=household.members[0].id if member else None,
                family_id=None if member else household.families[0].id,
                start_date=datetime.date(2019, 1, 15),
            )
        )
        db.session.commit()


def audit_actions(app, action):
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()


# --- certificates --------------------------------------------------------------------------------


def test_operator_downloads_a_certificate_of_a_bandung_household(
    app, client, login, make_household, closed_periods
):
    household_id = make_household(address="Jl. Dago Asri 17")
    add_membership(app, household_id, "PKH")
    add_membership(app, household_id, "PBI-JK", member=True)
    determine(app, [household_id])
    before = len(audit_actions(app, "certificate_issued"))
    login("operator.bandung")

    response = client.get(certificate_url(household_id))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"].startswith("no-store")
    [certificate] = certificates_of(app, household_id)
    text = pdf_text(response.data)
    from app.register.verification import display

    for expected in (
        "Budi Santoso",
        "Siti Aminah",
        "Jl. Dago Asri 17",
        display(certificate.code),
        certificate.register_id,
        "PKH",
        "PBI-JK",
        "Kota Bandung",
        CLOSED_CODE,
    ):
        assert expected in text, expected
    assert "/verify/" + display(certificate.code) in text
    assert certificate.head_initials == "B. S."
    # Operators see the full NIK (16 digits) of each member.
    assert re.search(r"\b\d{16}\b", text)
    entries = audit_actions(app, "certificate_issued")
    assert len(entries) == before + 1
    assert entries[-1].username == "operator.bandung"
    assert entries[-1].after["code"] == certificate.code
    assert entries[-1].region_code == BANDUNG_VILLAGE


def test_each_print_is_a_new_certificate_with_its_own_code(
    app, client, login, make_household, closed_periods
):
    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    assert client.get(certificate_url(household_id)).status_code == 200
    first, second = certificates_of(app, household_id)
    assert first.code != second.code


def test_the_determined_period_is_the_latest_closed_one_holding_the_household(
    app, client, login, make_household, closed_periods
):
    household_id = make_household()
    determine(app, [household_id], code=EARLIER_CODE)
    latest = determine(app, [household_id], code=CLOSED_CODE)
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    [certificate] = certificates_of(app, household_id)
    assert certificate.period_id == latest


def test_a_bogor_household_does_not_exist_for_operator_bandung(
    app, client, login, make_household, closed_periods
):
    bogor = make_household(BOGOR_VILLAGE)
    determine(app, [bogor])
    login("operator.bandung")
    assert client.get(certificate_url(bogor)).status_code == 404
    assert certificates_of(app, bogor) == []


@pytest.mark.parametrize("household_id", ["999999", "abc", "-1", "1.5", "9" * 40])
def test_unknown_or_malformed_household_ids_answer_404(client, login, household_id):
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 404


def test_a_household_id_with_a_nul_byte_is_refused_as_input(client, login):
    login("operator.bandung")
    assert client.get(certificate_url("%00")).status_code == 400  # app.security.input_guard


def test_a_household_not_yet_determined_gets_no_certificate_but_a_message(
    app, client, login, make_household, closed_periods
):
    household_id = make_household()
    login("operator.bandung")
    response = client.get(certificate_url(household_id), follow_redirects=True)
    assert response.status_code == 200
    assert "alert" in response.get_data(as_text=True)
    assert certificates_of(app, household_id) == []


@pytest.mark.parametrize("username", ["prov.jabar", "pusdatin", "pengawas", "verifikator.bandung"])
def test_only_operators_and_admins_print_certificates(
    app, client, login, make_household, closed_periods, username
):
    household_id = make_household()
    determine(app, [household_id])
    login(username)
    assert client.get(certificate_url(household_id)).status_code in (403, 404)
    assert certificates_of(app, household_id) == []


def test_household_page_offers_the_certificate_button_to_operators_only(
    app, client, login, make_household
):
    household_id = make_household()
    login("operator.bandung")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert certificate_url(household_id) in page
    client.get("/logout/")
    login("prov.jabar")
    page = client.get(f"/households/show/{household_id}").get_data(as_text=True)
    assert certificate_url(household_id) not in page


HOSTILE_NAME = '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hostname">'
HOSTILE_ADDRESS = (
    '<link rel="attachment" href="file:///etc/passwd"></style><style>@import '
    "url(file:///etc/passwd);</style> \u202eJl. 4321 "
    '<img src="http://127.0.0.1:{port}/x.png"> ' + "Panjang" * 20
)
#: An SVG image (itself allowed, as data:) that asks for a file.
SVG_ASKING_FOR_A_FILE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E"
    "%3Cimage href='file:///etc/passwd' width='10' height='10'/%3E%3C/svg%3E"
)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def listening_server():
    """A local web server that counts requests: a document must never call it."""
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _CountingHandler.hits
    server.shutdown()


def _assert_nothing_embedded(pdf: bytes) -> None:
    for marker in (b"/EmbeddedFile", b"/FileAttachment", b"/URI", b"/Launch", b"/JavaScript"):
        assert marker not in pdf, marker
    with open("/etc/passwd", "rb") as passwd:
        first_line = passwd.readline().strip()
    assert first_line not in pdf
    assert first_line.decode() not in pdf_text(pdf)
    listing = subprocess.run(["pdfdetach", "-list", "-"], input=pdf, capture_output=True)
    if listing.returncode == 0:
        assert b"0 embedded files" in listing.stdout


def test_hostile_text_in_name_and_address_is_printed_as_text_and_fetches_nothing(
    app, client, login, closed_periods, listening_server, monkeypatch
):
    from app.register.households import create_household
    from reports import renderer

    port, hits = listening_server
    refused = []
    original = renderer.AssetFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except renderer.RefusedResource:
            refused.append(url)
            raise

    monkeypatch.setattr(renderer.AssetFetcher, "fetch", spy)
    with app.app_context():
        head = member_data(BANDUNG_VILLAGE, name=HOSTILE_NAME[:100])
        household, _warnings = create_household(
            {
                "village_code": BANDUNG_VILLAGE,
                "address": HOSTILE_ADDRESS.format(port=port)[:255],
                "welfare_decile": 1,
            },
            [head],
        )
        household_id = household.id
    determine(app, [household_id])
    login("operator.bandung")

    response = client.get(certificate_url(household_id))

    assert response.status_code == 200
    _assert_nothing_embedded(response.data)
    assert hits == []
    assert refused == []  # escaped: the text never became markup
    text = pdf_text(response.data)
    assert 'src="file:///etc/passwd"' in text  # printed as the text it is
    assert "\u202e" not in text
    from app.register.verification import initials

    [certificate] = certificates_of(app, household_id)
    assert certificate.head_initials == initials(HOSTILE_NAME[:100])


def test_the_renderer_refuses_files_and_the_network_even_in_raw_markup(app, listening_server):
    from reports import renderer

    port, hits = listening_server
    html = f"""<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <style>@import url(http://127.0.0.1:{port}/import.css);
             @font-face {{ font-family: X;
                           src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf) }}
             body {{ background: url(https://127.0.0.1:{port}/bg.png) }}</style>
      </head><body>
      <img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/x.png">
      <img src="ftp://127.0.0.1/x.png"><img src="asset:../../config.py">
      <object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
      <a rel="attachment" href="file:///etc/hostname">x</a>
      <img src="{SVG_ASKING_FOR_A_FILE}">
      <p>text</p></body></html>"""
    fetcher = renderer.AssetFetcher()
    with app.app_context():
        pdf = renderer.html_to_pdf(html, fetcher)
    _assert_nothing_embedded(pdf)
    assert hits == []
    assert any(url.startswith("file:") for url in fetcher.refused)
    assert any(url.startswith("http:") for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "asset:../../config.py",
        "asset:/../../config.py",
        "asset:%2e%2e/%2e%2e/config.py",
        "asset:css/../../../config.py",
        "asset:fonts/../../x",
        "asset:fonts/DejaVuSerif.ttf",
        "asset:fonts/../css/report.css",
        "asset:",
        "asset:css",
        "jar:file:///x!/y",
        "javascript:alert(1)",
        "about:blank",
        "//example.org/x.png",
    ],
)
def test_the_fetcher_refuses_everything_but_bundled_assets(url):
    from reports import renderer

    fetcher = renderer.AssetFetcher()
    with pytest.raises(renderer.RefusedResource):
        fetcher.fetch(url)


@pytest.mark.parametrize(
    "url,media_type",
    [
        ("asset:css/report.css", "text/css"),
        ("asset:images/emblem.svg", "image/svg+xml"),
        ("asset:fonts/DejaVuSans.ttf", "font/ttf"),
        ("data:text/plain;base64,aGFsbw==", "text/plain"),
    ],
)
def test_the_fetcher_serves_bundled_assets_and_data(url, media_type):
    from reports import renderer

    response = renderer.AssetFetcher().fetch(url)
    assert response.content_type == media_type
    assert response.read()


# --- region recaps -------------------------------------------------------------------------------


def _region_household(make_household, village, decile, name="Budi Santoso"):
    from tests.fixtures.factories import member_data as data

    return make_household(village, members=[data(village, name=name)], welfare_decile=decile)


def test_region_recap_of_a_closed_period_counts_its_snapshot(
    app, client, login, make_household, closed_periods
):
    bandung = [_region_household(make_household, BANDUNG_VILLAGE, decile) for decile in (1, 1, 2)]
    coblong = _region_household(make_household, "32.73.02.1001", 4)
    bogor = _region_household(make_household, BOGOR_VILLAGE, 3)
    add_membership(app, bandung[0], "PKH")
    determine(
        app,
        [*bandung, coblong, bogor],
        recaps=[
            {
                "region_code": "32.73.01",
                "level": 3,
                "households": 3,
                "families": 3,
                "people": 3,
                "corrections": 7,
                "new_proposals": 2,
            }
        ],
    )
    make_household(BANDUNG_VILLAGE)  # after the close: not in the period's figures
    login("prov.jabar")
    before = len(audit_actions(app, "report_downloaded"))

    response = client.get(f"/reports/region/32.73/recap.pdf?period={CLOSED_CODE}")

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Kota Bandung" in text and "Sukasari" in text and "Coblong" in text
    assert "Bogor" not in text
    assert re.search(r"(Total|Jumlah) 4 4 4", text)  # households, families, people of the period
    entries = audit_actions(app, "report_downloaded")
    assert len(entries) == before + 1
    assert entries[-1].entity == "region_recap" and entries[-1].after["period"] == CLOSED_CODE


def test_region_recap_of_the_open_period_is_marked_provisional(app, client, login, make_household):
    from app.extensions import db
    from models import Period

    make_household()
    with app.app_context():
        open_code = db.session.scalar(sa.select(Period.code).where(Period.status == "OPEN"))
    login("operator.bandung")  # operators print no recaps
    assert client.get(f"/reports/region/32.73/recap.pdf?period={open_code}").status_code == 403
    client.get("/logout/")
    login("pusdatin")
    response = client.get(f"/reports/region/ID/recap.pdf?period={open_code}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Jawa Barat" in text
    assert pdf_pages(response.data) >= 2


@pytest.mark.parametrize(
    "url,status",
    [
        ("/reports/region/31/recap.pdf", 404),  # DKI Jakarta: outside Jawa Barat
        ("/reports/region/ID/recap.pdf", 404),  # national: outside a province scope
        ("/reports/region/32.01.01.9999/recap.pdf", 404),  # no such village
        ("/reports/region/<script>/recap.pdf", 404),
        ("/reports/region/32/recap.pdf?period=2019-13", 400),
        ("/reports/region/32/recap.pdf?period=%27%3Bdrop", 400),
        ("/reports/region/32/recap.pdf?period=1999-01", 404),
    ],
)
def test_recap_bad_input_gets_a_clear_answer(client, login, url, status):
    login("prov.jabar")
    assert client.get(url).status_code == status


def test_recap_form_leads_to_the_pdf(client, login):
    login("pusdatin")
    response = client.get("/reports/recap?region=32.73&period=2019-11")
    assert response.status_code == 302
    assert "/reports/region/32.73/recap.pdf?period=2019-11" in response.headers["Location"]
    assert client.get("/reports/recap?region=<b>").status_code == 400
    client.get("/logout/")
    login("prov.jabar")  # no region chosen: the user's own
    assert "/reports/region/32/recap.pdf" in client.get("/reports/recap").headers["Location"]


# --- period minutes ------------------------------------------------------------------------------


def _minutes_period(app, make_household):
    household_id = make_household()
    return determine(
        app,
        [household_id],
        recaps=[
            {
                "region_code": "",
                "level": 0,
                "households": 27_000_000,
                "families": 28_800_000,
                "people": 98_200_000,
                "corrections": 1_982_616,
                "new_proposals": 443_022,
                "active_regencies": 396,
                "total_regencies": 514,
            },
            {
                "region_code": "32",
                "level": 1,
                "households": 5_000_000,
                "families": 5_300_000,
                "people": 18_000_000,
                "corrections": 300_000,
                "new_proposals": 50_000,
                "active_regencies": 20,
                "total_regencies": 27,
            },
            {
                "region_code": "31",
                "level": 1,
                "households": 900_000,
                "families": 950_000,
                "people": 3_000_000,
                "corrections": 40_000,
                "new_proposals": 9_000,
                "active_regencies": 5,
                "total_regencies": 6,
            },
        ],
        activity=[
            {
                "regency_code": "32.73",
                "province_code": "32",
                "corrections": 1200,
                "new_proposals": 80,
                "last_update": datetime.datetime(2019, 11, 20, 9, 0),
                "active": True,
            },
            {
                "regency_code": "32.01",
                "province_code": "32",
                "corrections": 0,
                "new_proposals": 0,
                "last_update": None,
                "active": False,
            },
            {
                "regency_code": "31.71",
                "province_code": "31",
                "corrections": 10,
                "new_proposals": 1,
                "last_update": datetime.datetime(2019, 11, 2, 9, 0),
                "active": True,
            },
        ],
    )


def test_minutes_of_a_closed_period_hold_national_and_province_tables(
    app, client, login, make_household, closed_periods
):
    from app import jobs
    from models.enums import JobStatus

    _minutes_period(app, make_household)
    login("pusdatin")
    # Printed once, off the request: the first ask queues the job.
    first = client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf")
    assert first.status_code == 202 and CLOSED_CODE in first.get_data(as_text=True)
    assert client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf").status_code == 202
    with app.app_context():
        finished = jobs.run_next("period_minutes")
        assert finished.status == JobStatus.SUCCEEDED, finished.error
        assert jobs.run_next("period_minutes") is None  # asked twice, queued once
    response = client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for expected in (
        "27.000.000",
        "1.982.616",
        "443.022",
        "396",
        "514",
        "77,0%",
        "Jawa Barat",
        "Jakarta",
        "Kota Bandung",
        "Kabupaten Bogor",
    ):
        assert expected in text, expected
    assert audit_actions(app, "report_downloaded")[-1].entity == "period_minutes"


def test_a_province_reads_only_its_own_part_of_the_minutes(
    app, client, login, make_household, closed_periods
):
    _minutes_period(app, make_household)
    login("prov.jabar")
    response = client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Jawa Barat" in text and "Kota Bandung" in text
    assert "Jakarta" not in text and "27.000.000" not in text


def test_minutes_of_an_open_or_unknown_period_are_refused_clearly(app, client, login):
    from app.extensions import db
    from models import Period

    with app.app_context():
        open_code = db.session.scalar(sa.select(Period.code).where(Period.status == "OPEN"))
    login("pusdatin")
    response = client.get(f"/reports/period/{open_code}/minutes.pdf")
    assert response.status_code == 404
    assert open_code in response.get_data(as_text=True)
    assert client.get("/reports/period/1999-01/minutes.pdf").status_code == 404
    assert client.get("/reports/period/<x>/minutes.pdf").status_code == 404


def test_minutes_kept_by_the_close_are_served_to_national_users(
    app, client, login, make_household, closed_periods
):
    from app.extensions import db
    from models import Period
    from reports import minutes

    _minutes_period(app, make_household)
    with app.app_context():
        period = db.session.scalar(sa.select(Period).where(Period.code == CLOSED_CODE))
        kept = minutes.store_minutes(period)
        db.session.commit()
        content = kept.content
    login("pengawas")
    response = client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf")
    assert response.status_code == 200
    assert response.data == content


# --- village batches ----------------------------------------------------------------------------


def test_bulk_certificates_for_a_village_are_built_by_a_job_and_downloaded(
    app, client, login, make_household, closed_periods
):
    from app import jobs
    from models.enums import JobStatus

    names = ["Asep Sunandar", "Dedi Mulyadi", "Euis Komariah"]
    ids = [make_household(members=[member_data(BANDUNG_VILLAGE, name=name)]) for name in names]
    not_determined = make_household(members=[member_data(BANDUNG_VILLAGE, name="Ujang Baru")])
    determine(app, ids)
    login("operator.bandung")

    response = client.post(
        "/reports/bulk", data={"village_code": BANDUNG_VILLAGE, "csrf_token": session_csrf(client)}
    )
    assert response.status_code == 302
    page = client.get("/reports/").get_data(as_text=True)
    job_id = int(re.search(r'data-job="(\d+)"', page).group(1))
    status = client.get(f"/reports/bulk/{job_id}/status.json").get_json()
    assert status["status"] == "QUEUED" and status["download_url"] is None

    with app.app_context():
        finished = jobs.run_next("bulk_certificates")
        assert finished.status == JobStatus.SUCCEEDED, finished.error
        assert finished.result["certificates"] == 3 and finished.result["skipped"] == 1

    status = client.get(f"/reports/bulk/{job_id}/status.json").get_json()
    assert status["status"] == "SUCCEEDED" and status["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = pdf_text(download.data)
    for name in names:
        assert name in text
    assert "Ujang Baru" not in text
    assert pdf_pages(download.data) >= 3
    for household_id in ids:
        [certificate] = certificates_of(app, household_id)
        assert certificate.job_run_id == job_id
        assert certificate.code[:5] in text
    assert certificates_of(app, not_determined) == []
    issued = [
        entry
        for entry in audit_actions(app, "certificate_issued")
        if entry.after.get("job_run_id") == job_id
    ]
    assert len(issued) == 3 and {entry.username for entry in issued} == {"operator.bandung"}
    assert audit_actions(app, "report_downloaded")[-1].entity == "bulk_certificates"

    # Outside Kota Bandung the batch does not exist.
    client.get("/logout/")
    login("operator.bogor")
    assert client.get(f"/reports/bulk/{job_id}/status.json").status_code == 404
    assert client.get(status["download_url"]).status_code == 404
    assert f'data-job="{job_id}"' not in client.get("/reports/").get_data(as_text=True)


@pytest.mark.parametrize(
    "village,status",
    [
        (BOGOR_VILLAGE, 404),
        ("32.73.01", 400),
        ("99.99.99.9999", 400),
        ("<b>x</b>", 400),
        ("", 400),
    ],
)
def test_bulk_request_for_a_foreign_or_unknown_village_is_refused(client, login, village, status):
    login("operator.bandung")
    response = client.post(
        "/reports/bulk", data={"village_code": village, "csrf_token": session_csrf(client)}
    )
    assert response.status_code == status


def test_bulk_request_for_a_village_without_determined_households_says_so(
    client, login, make_household
):
    make_household()
    login("operator.bandung")
    response = client.post(
        "/reports/bulk", data={"village_code": BANDUNG_VILLAGE, "csrf_token": session_csrf(client)}
    )
    assert response.status_code == 409


def test_bulk_request_needs_the_csrf_token(client, login):
    login("operator.bandung")
    assert client.post("/reports/bulk", data={"village_code": BANDUNG_VILLAGE}).status_code == 400


@pytest.mark.parametrize("job_id", ["999999", "abc", "9" * 30])
def test_unknown_batches_answer_404(client, login, job_id):
    login("operator.bandung")
    assert client.get(f"/reports/bulk/{job_id}/status.json").status_code == 404
    assert client.get(f"/reports/bulk/{job_id}/certificates.pdf").status_code == 404


@pytest.mark.skipif(shutil.which("pdfunite") is None, reason="pdfunite (poppler-utils) missing")
def test_a_batch_is_laid_out_on_several_cores_and_joined_in_order(app):
    from reports import bulk, renderer

    with app.app_context():
        htmls = [
            renderer.render_html(
                "base.html", {**renderer.page_context("tester"), "title": f"Dokumen {number}"}
            )
            for number in range(1, 5)
        ]
    seen = []
    pdf = bulk.render_batch(htmls, workers=2, chunk=1, on_progress=seen.append)
    assert pdf_pages(pdf) == 4
    text = pdf_text(pdf)
    assert [text.index(f"Dokumen {number}") for number in range(1, 5)] == sorted(
        text.index(f"Dokumen {number}") for number in range(1, 5)
    )
    assert seen[-1] == 4


# --- the console page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username,sections",
    [
        ("operator.bandung", {"bulk-certificates"}),
        ("prov.jabar", {"region-recap", "period-minutes"}),
        ("pusdatin", {"region-recap", "period-minutes"}),
        ("pengawas", {"region-recap", "period-minutes"}),
        ("admin", {"bulk-certificates", "region-recap", "period-minutes"}),
    ],
)
def test_reports_page_shows_what_each_role_may_print(client, login, username, sections):
    login(username)
    response = client.get("/reports/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for section in ("bulk-certificates", "region-recap", "period-minutes"):
        assert (f'id="{section}"' in page) == (section in sections), section


@pytest.mark.parametrize("username", ["interkoneksi", "verifikator.bandung"])
def test_roles_without_reports_are_refused(client, login, username):
    login(username)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/region/32/recap.pdf").status_code == 403


# --- letterhead ---------------------------------------------------------------------------------


def test_the_office_logo_is_the_configured_file_or_the_bundled_emblem(app, tmp_path):
    from reports import renderer

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    with app.app_context():
        app.config["OFFICE_LOGO"] = str(logo)
        try:
            assert renderer.logo_uri().startswith("data:image/png;base64,")
            for unusable in (tmp_path / "missing.png", tmp_path / "logo.gif", "/etc/passwd"):
                app.config["OFFICE_LOGO"] = str(unusable)
                assert renderer.logo_uri().startswith("data:image/svg+xml;base64,")
        finally:
            app.config["OFFICE_LOGO"] = ""
