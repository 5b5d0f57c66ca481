"""Village batches of certificates (a job, then a download), the reports page of each role, and
the letterhead."""

import re
import shutil

import pytest

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, session_csrf
from tests.fixtures.documents import (
    audit_actions,
    certificates_of,
    determine,
    pdf_pages,
    pdf_text,
)
from tests.fixtures.factories import member_data

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


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
    # The trail outlives earlier tests' jobs, whose ids a new job may take again (SQLite).
    earlier = {entry.id for entry in audit_actions(app, "certificate_issued")}

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
        if entry.after.get("job_run_id") == job_id and entry.id not in earlier
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
