"""Issuing offices (app.offices, views/offices.py): the Admin configures a regency's Dinas
Sosial — letterhead, signatory, agenda numbers — and its certificates read as its letters; a
regency without one gets a government letterhead derived from the region; the verification page
and the minutes name who issued them, never the software."""

import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, form_defaults
from tests.fixtures.documents import (
    CLOSED_CODE,
    certificate_url,
    certificates_of,
    determine,
    pdf_text,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)

BANDUNG_OFFICE = {
    "region_code": "32.73",
    "name": "Dinas Sosial Kota Bandung",
    "government_line": "PEMERINTAH KOTA BANDUNG",
    "agency_line": "DINAS SOSIAL",
    "address": "Jl. Sindangsirna No. 40, Bandung 40153",
    "phone": "(022) 2000000",
    "email": "dinsos@example.go.id",
    "place": "Bandung",
    "signatory_name": "Drs. Asep Kurniawan, M.Si.",
    "signatory_title": "Kepala Dinas Sosial Kota Bandung",
    "signatory_rank": "Pembina Utama Muda (IV/c)",
    "signatory_nip": "19700512 199503 1 002",
    "agenda_pattern": "400.9/{seq}/Dinsos/{year}",
}


@pytest.fixture()
def no_offices(app):
    """Offices are reference data the register's clean-up keeps: removed before and after."""
    from app.extensions import db

    def remove():
        with app.app_context():
            db.session.rollback()
            db.session.execute(sa.text("DELETE FROM office"))
            db.session.commit()

    remove()
    yield
    remove()


def _offices(app):
    from app.extensions import db
    from models import Office

    with app.app_context():
        return db.session.scalars(sa.select(Office).order_by(Office.id)).all()


def _add_office(client, values):
    return client.post("/offices/add", data={**form_defaults(client, "/offices/add"), **values})


def _indonesian(app, message, **values):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("id"):
        return gettext(message, **values)


def _issue_day(app, certificate) -> str:
    """ "7 Desember 2026": the certificate's date as its letter prints it."""
    from flask_babel import force_locale, format_date, to_user_timezone

    with app.test_request_context(), force_locale("id"):
        return format_date(to_user_timezone(certificate.issued_at).date(), "d MMMM y")


def test_the_admin_configures_an_office_and_its_certificates_read_as_its_letters(
    app, client, login, make_household, closed_periods, no_offices, audit_trail
):
    login("admin")
    response = _add_office(client, BANDUNG_OFFICE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [office] = _offices(app)
    assert office.signatory_nip == "197005121995031002"  # stored without the spaces
    assert [entity for _user, entity, _after in audit_trail("create")] == ["office"]
    client.get("/logout/")

    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    response = client.get(certificate_url(household_id))
    assert response.status_code == 200
    text = pdf_text(response.data)
    [certificate] = certificates_of(app, household_id)
    year = str(certificate.issued_at.year)
    assert certificate.agenda_number == f"400.9/1/Dinsos/{year}"
    for expected in (
        "PEMERINTAH KOTA BANDUNG",
        "DINAS SOSIAL",
        "Jl. Sindangsirna No. 40, Bandung 40153",
        _indonesian(app, "Number: %(number)s", number=certificate.agenda_number),
        f"Bandung, {_issue_day(app, certificate)}",
        "Kepala Dinas Sosial Kota Bandung",
        "Drs. Asep Kurniawan, M.Si.",
        "Pembina Utama Muda (IV/c)",
        "NIP. 19700512 199503 1 002",
    ):
        assert expected in text, expected
    # The operator who printed it is named in the footer's small print, not as the signatory.
    assert _indonesian(app, "Printed by %(user)s", user="operator.bandung") not in text
    assert "operator.bandung" in text
    assert certificate.issuer["signatory_nip"] == "197005121995031002"


def test_the_agenda_book_numbers_the_first_prints_of_a_year_in_order(
    app, client, login, make_household, closed_periods, no_offices
):
    first, second = make_household(), make_household()
    determine(app, [first, second])
    login("operator.bandung")
    for household_id in (first, second, first):
        assert client.get(certificate_url(household_id)).status_code == 200
    [one], [two] = certificates_of(app, first), certificates_of(app, second)
    assert (one.agenda_seq, two.agenda_seq) == (1, 2)
    assert one.agenda_number.startswith("400.9/1/") and two.agenda_number.startswith("400.9/2/")


def test_a_regency_without_an_office_gets_a_letterhead_derived_from_its_region(
    app, client, login, make_household, closed_periods, no_offices
):
    household_id = make_household(BOGOR_VILLAGE)
    determine(app, [household_id])
    login("operator.bogor")
    response = client.get(certificate_url(household_id))
    assert response.status_code == 200
    text = pdf_text(response.data)
    [certificate] = certificates_of(app, household_id)
    for expected in (
        "PEMERINTAH KABUPATEN BOGOR",
        "DINAS SOSIAL",
        f"Bogor, {_issue_day(app, certificate)}",
        "Kepala Dinas Sosial Kabupaten Bogor",
        "NIP. ....",  # name and NIP left for the signatory to write
        certificate.agenda_number,
    ):
        assert expected in text, expected
    assert certificate.issuer["configured"] is False


def test_derived_letterheads_follow_the_kind_of_region(app, no_offices):
    from app import offices

    with app.app_context():
        bandung = offices.letterhead_for(BANDUNG_VILLAGE)
        bogor = offices.letterhead_for("32.01")
        jakarta = offices.letterhead_for("31.71")
    assert (bandung.government_line, bandung.agency_line, bandung.place) == (
        "PEMERINTAH KOTA BANDUNG",
        "DINAS SOSIAL",
        "Bandung",
    )
    assert bandung.name == "Dinas Sosial Kota Bandung" and not bandung.configured
    assert bogor.government_line == "PEMERINTAH KABUPATEN BOGOR"
    # DKI Jakarta's cities are administrative: a Suku Dinas under the province's government.
    assert jakarta.government_line == "PEMERINTAH PROVINSI DAERAH KHUSUS IBUKOTA JAKARTA"
    assert jakarta.agency_line == "SUKU DINAS SOSIAL KOTA ADMINISTRASI JAKARTA PUSAT"


def test_a_reprint_keeps_the_signatory_of_the_first_print(
    app, client, login, make_household, closed_periods, no_offices
):
    from app.extensions import db
    from models import Office

    login("admin")
    assert _add_office(client, BANDUNG_OFFICE).status_code == 302
    household_id = make_household()
    determine(app, [household_id])
    assert client.get(certificate_url(household_id)).status_code == 200
    with app.app_context():
        office = db.session.scalar(sa.select(Office))
        office.signatory_name = "Dra. Nenden Sumarni"
        db.session.commit()
    text = pdf_text(client.get(certificate_url(household_id)).data)
    assert "Drs. Asep Kurniawan, M.Si." in text and "Nenden" not in text


NIP_LENGTH = (
    "A NIP has 18 digits: birth date (8), month of appointment (6), sex (1) and a serial "
    "number (3)."
)
NIP_DATES = (
    "This NIP does not start with a birth date (YYYYMMDD) followed by a later month of "
    "appointment (YYYYMM)."
)
NIP_SEX = "The 15th digit of a NIP is the sex: 1 (man) or 2 (woman)."


@pytest.mark.parametrize(
    "nip,message",
    [
        ("12345", NIP_LENGTH),
        ("19700512199503100X", NIP_LENGTH),
        ("19701312 199503 1 002", NIP_DATES),
        ("19700512 197503 1 002", NIP_DATES),
        ("19700512 199503 3 002", NIP_SEX),
    ],
)
def test_an_invalid_nip_is_refused_and_the_form_keeps_what_was_typed(
    app, client, login, no_offices, nip, message
):
    from markupsafe import escape

    login("admin")
    response = _add_office(client, {**BANDUNG_OFFICE, "signatory_nip": nip})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert str(escape(_indonesian(app, message))) in page
    assert "Drs. Asep Kurniawan, M.Si." in page and f'value="{nip}"' in page
    assert _offices(app) == []


@pytest.mark.parametrize(
    "pattern",
    ["400.9/Dinsos/{year}", "{seq.__class__}", "{seq:>99999}", "{seq}/{name}", "{seq"],
)
def test_an_invalid_agenda_pattern_is_refused(app, client, login, no_offices, pattern):
    login("admin")
    response = _add_office(client, {**BANDUNG_OFFICE, "agenda_pattern": pattern})
    assert response.status_code == 200
    assert _offices(app) == []


def test_one_office_per_regency_and_only_for_a_regency(app, client, login, no_offices):
    login("admin")
    assert _add_office(client, BANDUNG_OFFICE).status_code == 302
    for region_code in ("32.73", BANDUNG_VILLAGE, "32", "99.99", ""):
        response = _add_office(client, {**BANDUNG_OFFICE, "region_code": region_code})
        assert response.status_code == 200, region_code
    assert len(_offices(app)) == 1


@pytest.mark.parametrize("username", ["operator.bandung", "pusdatin", "prov.jabar", "pengawas"])
def test_only_the_admin_edits_offices(app, client, login, no_offices, username):
    from app.extensions import db
    from models import Office

    with app.app_context():
        db.session.add(Office(**{**BANDUNG_OFFICE, "signatory_nip": "197005121995031002"}))
        db.session.commit()
        office_id = db.session.scalar(sa.select(Office.id))
    login(username)
    for url in ("/offices/list/", "/offices/add", f"/offices/edit/{office_id}"):
        assert client.get(url).status_code in (302, 403), url
    response = client.post(f"/offices/edit/{office_id}", data={"signatory_name": "Penyusup"})
    assert response.status_code in (302, 400, 403)
    assert _offices(app)[0].signatory_name == BANDUNG_OFFICE["signatory_name"]


def test_the_verification_page_names_the_issuing_office(
    app, client, login, make_household, closed_periods, no_offices
):
    from app.register.verification import display

    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    client.get("/logout/")
    [certificate] = certificates_of(app, household_id)
    page = client.get(f"/verify/{display(certificate.code)}").get_data(as_text=True)
    assert '<td class="verify-issuer">Dinas Sosial Kota Bandung</td>' in page
    assert certificate.agenda_number in page
    assert (
        _indonesian(
            app,
            "This registration certificate was issued by %(office)s.",
            office="Dinas Sosial Kota Bandung",
        )
        in page
    )
    assert "Datakesos" not in page.split('class="verify-page"', 1)[1]


def test_the_minutes_are_issued_by_the_ministry_unit(app, client, login, closed_periods):
    recap = {"households": 2, "families": 2, "people": 7, "corrections": 1, "new_proposals": 0}
    determine(app, [], recaps=[{"region_code": "32", "level": 1, **recap}])
    login("prov.jabar")
    response = client.get(f"/reports/period/{CLOSED_CODE}/minutes.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "KEMENTERIAN SOSIAL REPUBLIK INDONESIA" in text
    assert "PUSAT DATA DAN INFORMASI KESEJAHTERAAN SOSIAL" in text
    assert "Kepala Pusat Data dan Informasi Kesejahteraan Sosial" in text
    assert "Datakesos" not in text


def test_the_admin_changes_the_signatory_and_the_change_is_audited(
    app, client, login, no_offices, audit_trail
):
    login("admin")
    assert _add_office(client, BANDUNG_OFFICE).status_code == 302
    [office] = _offices(app)
    url = f"/offices/edit/{office.id}"
    changed = {**BANDUNG_OFFICE, "signatory_name": "Dra. Nenden Sumarni", "signatory_nip": ""}
    response = client.post(url, data={**form_defaults(client, url), **changed})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [office] = _offices(app)
    assert (office.signatory_name, office.signatory_nip) == ("Dra. Nenden Sumarni", None)
    [(username, entity, after)] = audit_trail("update")
    assert (username, entity) == ("admin", "office")
    assert after["signatory_name"] == "Dra. Nenden Sumarni"
