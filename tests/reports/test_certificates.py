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
