"""Journey of a duplicate (data ganda), after the close journeys: the administrator enters a
person a second time with a mistyped NIK and is warned; Pusdatin queues a duplicate scan of Kota
Bandung, which the scheduler process runs; the verifier of Kota Bandung opens the pair side by
side and decides "different people", which the next scan keeps."""

import datetime
import time

import pytest

from tests.e2e.helpers import assert_page_ok, open_menu_item, row, scalar, sign_in

pytestmark = pytest.mark.e2e

SCAN_TIMEOUT_S = 90


def _a_bandung_head(e2e_db, offset=0):
    return row(
        e2e_db,
        "SELECT m.id, m.nik, m.full_name, m.birth_date, m.sex FROM member m "
        "JOIN household h ON h.id = m.household_id WHERE m.relation_to_head = 'HEAD' "
        "AND m.status = 'ACTIVE' AND h.status = 'ACTIVE' AND h.village_code LIKE '32.73.%' "
        "ORDER BY m.id LIMIT 1 OFFSET :offset",
        offset=offset,
    )


def _other_bandung_household(e2e_db, member_id):
    return row(
        e2e_db,
        "SELECT h.id, f.kk_number FROM household h JOIN family f ON f.household_id = h.id "
        "WHERE h.status = 'ACTIVE' AND h.village_code LIKE '32.73.%' AND h.id <> "
        "(SELECT household_id FROM member WHERE id = :id) ORDER BY h.id LIMIT 1",
        id=member_id,
    )


def _enter_again(page, server_errors, console_errors, e2e_db, person) -> int:
    """The administrator enters `person` again, in another household, one NIK digit off, and
    is warned; the new member's id."""
    target = _other_bandung_household(e2e_db, person["id"])
    nik = person["nik"]
    typo = nik[:-1] + ("1" if nik[-1] != "1" else "2")
    born = person["birth_date"]
    born = born if isinstance(born, datetime.date) else datetime.date.fromisoformat(born)
    page.goto(f"/members/add?_flt_0_household={target['id']}")
    page.locator("#nik").fill(typo)
    page.locator("#full_name").fill("H. " + person["full_name"])
    page.locator("#kk_number").fill(target["kk_number"])
    page.locator("#relation_to_head").select_option("OTHER", force=True)
    page.locator("#sex").select_option(person["sex"], force=True)
    page.locator("#birth_date").fill(born.isoformat())
    with page.expect_navigation():
        page.locator("#model_form [type=submit]").first.click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert f"Kemungkinan besar duplikat dari {person['full_name']}" in text
    duplicate_id = scalar(e2e_db, "SELECT id FROM member WHERE nik = :nik", nik=typo)
    assert duplicate_id is not None
    return duplicate_id


def _candidate(e2e_db, one, other):
    first, second = sorted((one, other))
    return scalar(
        e2e_db,
        "SELECT id FROM duplicate_candidate WHERE first_id = :a AND second_id = :b",
        a=first,
        b=second,
    )


def test_a_duplicate_is_warned_scanned_and_decided(
    page, screenshot, server_errors, console_errors, live_server, e2e_db
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    person, other = _a_bandung_head(e2e_db), _a_bandung_head(e2e_db, 1)
    sign_in(page, "admin")
    duplicate_id = _enter_again(page, server_errors, console_errors, e2e_db, person)
    other_duplicate = _enter_again(page, server_errors, console_errors, e2e_db, other)
    page.goto("/logout/")

    # Pusdatin scans Kota Bandung; the scheduler runs the job.
    sign_in(page, "pusdatin")
    open_menu_item(page, "Kandidat duplikat")
    assert_page_ok(page, server_errors, console_errors)
    page.get_by_label("Kode wilayah (kosong: seluruh negeri)").fill("32.73")
    with page.expect_navigation():
        page.get_by_role("button", name="Pindai duplikat").click()
    assert "dalam antrean" in assert_page_ok(page, server_errors, console_errors)
    deadline = time.monotonic() + SCAN_TIMEOUT_S
    while time.monotonic() < deadline:
        status = scalar(
            e2e_db, "SELECT status FROM job_run WHERE kind = 'duplicate_scan' ORDER BY id DESC"
        )
        if status in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(1)
    assert status == "SUCCEEDED"
    page.reload()
    assert "100%" in assert_page_ok(page, server_errors, console_errors)
    screenshot("scanned", phone=True)
    page.goto("/logout/")

    # The verifier of Kota Bandung reviews the pairs and decides them.
    candidate = _candidate(e2e_db, person["id"], duplicate_id)
    assert candidate is not None
    sign_in(page, "verifikator.bandung")
    open_menu_item(page, "Kandidat duplikat")
    assert_page_ok(page, server_errors, console_errors)
    with page.expect_navigation():
        page.locator(f"a[href$='/duplicates/show/{candidate}']").first.click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert person["full_name"] in text and "NIK selisih satu ketikan" in text
    assert page.locator("tr.matched").count() >= 3
    screenshot("pair", phone=True)
    page.get_by_label("Catatan").last.fill("Saudara kembar, sudah dicek di lapangan")
    with page.expect_navigation():
        page.locator("form.duplicate-different [type=submit]").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert "Diputuskan: orang berbeda" in text
    decided = scalar(e2e_db, "SELECT status FROM duplicate_candidate WHERE id = :id", id=candidate)
    assert decided == "DIFFERENT"

    # The second pair is one person: the record entered again leaves at the next close.
    merged = _candidate(e2e_db, other["id"], other_duplicate)
    page.goto(f"/duplicates/show/{merged}")
    assert_page_ok(page, server_errors, console_errors)
    page.locator(f"form.duplicate-same input[name=keep][value='{other['id']}']").check()
    with page.expect_navigation():
        page.locator("form.duplicate-same [type=submit]").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert "Diputuskan: orang yang sama" in text
    proposal = row(
        e2e_db,
        "SELECT kind, status, reason, duplicate_of_id FROM proposal WHERE member_id = :id",
        id=other_duplicate,
    )
    assert dict(proposal) == {
        "kind": "DEACTIVATE_MEMBER",
        "status": "VERIFIED",
        "reason": "DUPLICATE",
        "duplicate_of_id": other["id"],
    }
