"""The upload page of the import: a file uploaded is imported by a job whose status and error
report belong to its owner; the CSRF token, the import right and the size limits are checked
and answered in Indonesian."""

import csv
import io

from tests.conftest import csrf_token
from tests.fixtures.imports import (
    SAMPLE,
    as_csv,
    sample_rows,
    total_rows,
)


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
    assert "Berkas yang dikirim lebih besar dari batas" in html
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    response = upload(client, SAMPLE.read_bytes(), token=token)
    assert response.status_code == 413 and "lebih besar" in response.get_data(as_text=True)


def test_the_upload_page_tells_an_administrator_that_records_enter_directly(client, login):
    login("admin")
    page = client.get("/import/").get_data(as_text=True)
    assert "langsung masuk ke data terpadu" in page and "draf usulan" not in page
