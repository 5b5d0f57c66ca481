"""Registration certificates: who may print one, for which household, what it says, and the
renderer that prints it fetching nothing but its own assets.

A document is read back as a person would: `pdftotext` for its words, `pdfinfo` for its pages,
and its raw bytes for anything embedded. Closed periods and their snapshots are written directly
(the close itself is tested elsewhere) and removed after each test."""

import http.server
import re
import shutil
import subprocess
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.fixtures.documents import (
    CLOSED_CODE,
    EARLIER_CODE,
    add_membership,
    audit_actions,
    certificate_url,
    certificates_of,
    determine,
    pdf_text,
)
from tests.fixtures.factories import member_data

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


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


def _reprint_mark(app, count: int) -> str:
    """ "Reprint no. N" as the letter prints it (in Indonesian once the catalog has it)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("id"):
        return gettext("Reprint no. %(count)s", count=count)


def test_printing_again_reprints_the_same_certificate_and_counts_it(
    app, client, login, make_household, closed_periods, audit_trail
):
    from app.register.verification import display, fingerprint

    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    first = client.get(certificate_url(household_id))
    second = client.get(certificate_url(household_id))
    assert first.status_code == second.status_code == 200

    [certificate] = certificates_of(app, household_id)
    assert certificate.reprints == 1
    first_text, second_text = pdf_text(first.data), pdf_text(second.data)
    for text in (first_text, second_text):
        assert display(certificate.code) in text
        assert certificate.agenda_number in text
        # Same content, same hash: the fingerprint on both papers is the one the page shows.
        assert fingerprint(certificate.content_hash) in text
    assert _reprint_mark(app, 1) not in first_text
    assert _reprint_mark(app, 1) in second_text
    [issued] = audit_trail("certificate_issued")
    [reprinted] = audit_trail("certificate_reprinted")
    assert issued[0] == reprinted[0] == "operator.bandung"
    assert reprinted[2]["code"] == certificate.code and reprinted[2]["reprint"] == 1

    assert client.get(certificate_url(household_id)).status_code == 200
    [certificate] = certificates_of(app, household_id)
    assert certificate.reprints == 2
    assert len(audit_trail("certificate_reprinted")) == 2


def test_a_reprint_after_a_change_in_the_register_keeps_its_number_and_new_hash(
    app, client, login, make_household, closed_periods, audit_trail
):
    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    [before] = certificates_of(app, household_id)
    add_membership(app, household_id, "PKH")
    response = client.get(certificate_url(household_id))
    [after] = certificates_of(app, household_id)
    assert (after.code, after.agenda_number, after.issued_at) == (
        before.code,
        before.agenda_number,
        before.issued_at,
    )
    assert after.content_hash != before.content_hash
    assert "PKH" in pdf_text(response.data)
    [(_user, _entity, details)] = audit_trail("certificate_reprinted")
    assert details["content_hash"] == after.content_hash


def test_a_village_batch_reprints_the_certificates_already_issued(
    app, client, login, make_household, closed_periods, audit_trail
):
    from app import jobs
    from app.register.verification import display
    from models.enums import JobStatus
    from reports import bulk

    printed, new = make_household(), make_household()
    determine(app, [printed, new])
    login("operator.bandung")
    assert client.get(certificate_url(printed)).status_code == 200
    [before] = certificates_of(app, printed)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="operator.bandung")
        bulk.enqueue(BANDUNG_VILLAGE, "http://localhost/", user.id)
        finished = jobs.run_next("bulk_certificates")
        assert finished.status == JobStatus.SUCCEEDED, finished.error
        assert finished.result["certificates"] == 2 and finished.result["reprinted"] == 1
        job_id = finished.id
    [after] = certificates_of(app, printed)
    [fresh] = certificates_of(app, new)
    assert (after.id, after.code, after.reprints) == (before.id, before.code, 1)
    assert fresh.job_run_id == job_id and fresh.agenda_seq == before.agenda_seq + 1
    [(_user, _entity, reprinted)] = audit_trail("certificate_reprinted")
    assert reprinted["code"] == before.code and reprinted["job_run_id"] == job_id
    assert [entry[2]["code"] for entry in audit_trail("certificate_issued")] == [
        before.code,
        fresh.code,
    ]
    status = client.get(f"/reports/bulk/{job_id}/status.json").get_json()
    text = pdf_text(client.get(status["download_url"]).data)
    assert display(before.code) in text and display(fresh.code) in text
    assert _reprint_mark(app, 1) in text


def test_a_certificate_issued_before_offices_gets_its_number_at_its_first_reprint(
    app, client, login, make_household, closed_periods
):
    from app.extensions import db
    from models.certificates import Certificate

    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    with app.app_context():  # as the migration left the certificates printed before it
        db.session.execute(
            sa.update(Certificate).values(
                agenda_number=None,
                agenda_seq=None,
                agenda_year=None,
                regency_code=None,
                issuer=None,
            )
        )
        db.session.commit()
    [legacy] = certificates_of(app, household_id)
    response = client.get(certificate_url(household_id))
    assert response.status_code == 200
    [certificate] = certificates_of(app, household_id)
    assert certificate.code == legacy.code and certificate.reprints == 1
    assert certificate.agenda_number and certificate.regency_code == "32.73"
    assert certificate.issuer["regency_code"] == "32.73"
    assert certificate.agenda_number in pdf_text(response.data)


def test_two_first_prints_at_once_make_one_certificate(
    app, make_household, closed_periods, monkeypatch
):
    """The second of two simultaneous first prints finds its insert refused by the unique
    (household, period) and prints the first one's certificate again."""
    from app.extensions import db
    from models import Household
    from reports import certificates

    household_id = make_household()
    determine(app, [household_id])
    printing = certificates.Printing(None, "operator.bandung", True, "http://localhost/")
    with app.app_context():
        household = db.session.get(Household, household_id)
        _first_pdf, first = certificates.issue_certificate(household, printing)
        first_code = first.code
        real = certificates.existing_certificates
        calls = []

        def unaware(ids):  # the other print had not committed when this one looked
            calls.append(ids)
            return {} if len(calls) == 1 else real(ids)

        monkeypatch.setattr(certificates, "existing_certificates", unaware)
        pdf, second = certificates.issue_certificate(household, printing)
        assert second.code == first_code and second.reprints == 1
        assert len(calls) == 2
    [certificate] = certificates_of(app, household_id)
    assert certificate.code == first_code
    assert first_code[:5] in pdf_text(pdf)


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
    app, client, login, make_household, closed_periods
):
    household_id = make_household()
    determine(app, [household_id])  # the button is offered only where a certificate can be
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
