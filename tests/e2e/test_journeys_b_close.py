"""Journeys around the period close, after test_journeys_a_register.py: Pusdatin schedules the
close and closes now (through the confirmation), watching the job the scheduler process runs;
the province watches its regencies' activity and prints a recap; the operator prints
registration certificates, also for the household proposed (and verified) before the close."""

import re
import subprocess

import pytest

from tests.e2e.helpers import NEW_HEAD, assert_page_ok, open_menu_item, scalar, sign_in

pytestmark = pytest.mark.e2e

CLOSE_TIMEOUT_MS = 120_000


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF (poppler's pdftotext, installed by `make install`)."""
    assert pdf[:5] == b"%PDF-"
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def _pdf_from_link(page, link) -> str:
    """Follow a link to a PDF as the browser's session does; the response must be a PDF, whose
    text is returned."""
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200, response.text()[:500]
    assert response.headers["content-type"].startswith("application/pdf"), response.headers
    return pdf_text(response.body())


def test_pusdatin_schedules_and_closes_the_period(
    page, screenshot, server_errors, console_errors, live_server, e2e_db
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    open_code = scalar(e2e_db, "SELECT code FROM period WHERE status = 'OPEN'")
    sign_in(page, "pusdatin")
    open_menu_item(page, "Penutupan periode")
    text = assert_page_ok(page, server_errors, console_errors)
    assert open_code in text

    page.get_by_label("Tanggal", exact=True).fill("25")
    page.get_by_label("Jam", exact=True).fill("23")
    page.get_by_label("Menit", exact=True).fill("30")
    page.get_by_label("Zona waktu").fill("Asia/Jakarta")
    page.get_by_label("Tutup otomatis").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan jadwal").click()
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator(".alert-success").count() == 1
    assert "23:30" in page.locator("#schedule-summary").inner_text()
    screenshot("scheduled", phone=True)

    # "Tutup sekarang" first shows what the close would determine and asks for a confirmation;
    # before the period's last day (the demo's period is this month's) with a reason.
    with page.expect_navigation():
        page.get_by_role("button", name="Tutup sekarang").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert "Konfirmasi penutupan periode" in text and open_code in text, text[:1000]
    assert "kabupaten/kota" in page.locator("#summary-regencies").inner_text()
    assert page.locator("#summary-proposals tbody tr").count() == 4
    assert scalar(e2e_db, "SELECT count(*) FROM job_run WHERE kind = 'close_period'") == 0
    reason = page.get_by_label("Alasan penutupan lebih awal")
    if reason.count():
        reason.fill("Uji perjalanan: penetapan sebelum akhir bulan")
    screenshot("close-confirm", phone=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Konfirmasi penutupan").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert page.locator(".alert-success").count() == 1, text[:1000]
    job = page.locator("#close-jobs tr.job-run").first
    assert job.locator(".progress").is_visible()  # the bar itself is 0 px wide while queued
    assert re.search(r"job-(queued|running|succeeded)", job.get_attribute("class"))
    screenshot("close-queued")

    # The page follows the job in place while it runs; the user only waits.
    page.locator("#close-jobs tr.job-run.job-succeeded").first.wait_for(timeout=CLOSE_TIMEOUT_MS)
    text = assert_page_ok(page, server_errors, console_errors)
    done = page.locator("#close-jobs tr.job-run").first
    assert "job-succeeded" in done.get_attribute("class")
    assert "Berhasil" in done.inner_text() or "Selesai" in done.inner_text(), done.inner_text()
    screenshot("closed", phone=True)
    assert (
        scalar(e2e_db, "SELECT status FROM period WHERE code = :code", code=open_code) == "CLOSED"
    )


def test_province_watches_activity_and_prints_a_recap(
    page, screenshot, server_errors, console_errors, live_server, e2e_db
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    sign_in(page, "prov.jabar")
    text = assert_page_ok(page, server_errors, console_errors)
    assert "Jawa Barat" in text
    open_menu_item(page, "Keaktifan kabupaten/kota")
    assert_page_ok(page, server_errors, console_errors)
    # The period just closed: Kota Bandung corrected one household and proposed one.
    closed = scalar(e2e_db, "SELECT code FROM period WHERE status = 'CLOSED' ORDER BY code DESC")
    page.locator("#period").select_option(closed)
    with page.expect_navigation():
        page.get_by_role("button", name="Lihat").click()
    assert_page_ok(page, server_errors, console_errors)
    if scalar(e2e_db, "SELECT id FROM member WHERE nik = :nik", nik=NEW_HEAD["nik"]) is None:
        pytest.skip("the proposal journey did not run: Kota Bandung did nothing this period")
    bandung = page.locator("tr", has_text="Kota Bandung (32.73)")
    cells = [cell.strip() for cell in bandung.locator("td").all_inner_texts()]
    assert cells[1:3] == ["1", "1"] and cells[-1] == "Aktif", cells
    screenshot("activity", phone=True)

    open_menu_item(page, "Laporan dan surat keterangan")
    assert_page_ok(page, server_errors, console_errors)
    screenshot("reports", phone=True)
    # The recap of the province (the form's default region) for the period just closed.
    recap = page.locator("#region-recap")
    recap.get_by_label("Periode").select_option(closed)
    with page.expect_response(lambda response: "recap.pdf" in response.url) as answer:
        recap.get_by_role("button", name="Cetak rekapitulasi").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert "/region/32/" in response.url and f"period={closed}" in response.url, response.url
    # (the browser shows the PDF in its viewer; the document itself is read at the same address)
    assert "Jawa Barat" in pdf_text(page.context.request.get(response.url).body())


def test_operator_prints_certificates(
    page, screenshot, server_errors, console_errors, bandung_household, e2e_db
):
    sign_in(page, "operator.bandung")
    page.goto(f"/households/show/{bandung_household['id']}")
    assert_page_ok(page, server_errors, console_errors)
    certificate = _pdf_from_link(page, page.get_by_role("link", name="Cetak Surat Keterangan"))
    assert bandung_household["register_id"] in certificate, certificate[:1500]

    # The household proposed and verified before the close is now in the register.
    proposed = scalar(
        e2e_db, "SELECT household_id FROM member WHERE nik = :nik", nik=NEW_HEAD["nik"]
    )
    if proposed is None:
        pytest.skip("the proposal journey did not run")
    assert scalar(e2e_db, "SELECT status FROM household WHERE id = :id", id=proposed) == "ACTIVE"
    page.goto(f"/households/show/{proposed}")
    text = assert_page_ok(page, server_errors, console_errors)
    # The proposed household's page, its status now registered (the certificate below names
    # its head; the members are on another tab).
    assert NEW_HEAD["address"] in text, text[:2000]
    assert re.search(r"^Status\tTerdaftar$", text, re.MULTILINE), text[:2000]
    screenshot("new-household", phone=True)
    certificate = _pdf_from_link(page, page.get_by_role("link", name="Cetak Surat Keterangan"))
    assert NEW_HEAD["name"] in certificate, certificate[:1500]
