"""Region recaps and period minutes (berita acara): the figures of a closed period's snapshot or
the open period's live register, within the reader's scope, read back with `pdftotext`."""

import datetime
import re
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.fixtures.documents import (
    CLOSED_CODE,
    add_membership,
    audit_actions,
    determine,
    pdf_pages,
    pdf_text,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


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
        "Daerah Khusus Ibukota Jakarta",
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
    # (The ministry's letterhead says "Jakarta Pusat"; the province is DKI Jakarta.)
    assert "Daerah Khusus Ibukota Jakarta" not in text and "27.000.000" not in text


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
