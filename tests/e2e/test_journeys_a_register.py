"""Journeys through the register of Kota Bandung, in order: the operator corrects a household
and proposes a new one; the verifier verifies the proposal; the overseer reads the audit trail
of the correction; a hand-typed address of Bogor stays hidden. test_journeys_b_close.py goes on
from here (the period close, then certificates).

The tests share the live server's database and run in this order (pytest keeps file order)."""

import re

import pytest

from tests.e2e.helpers import (
    NEW_HEAD,
    add_list_filter,
    assert_page_ok,
    open_menu_item,
    pick_in_search_select,
    row,
    scalar,
    sign_in,
    submit_list_filters,
)

pytestmark = pytest.mark.e2e

HEAD = NEW_HEAD
SPOUSE = {"name": "Euis Journey", "nik": "3273136008879902", "birth": "1987-08-20"}
CHILD = {"name": "Asep Journey", "nik": "3273130303159903", "birth": "2015-03-03"}


def test_operator_corrects_and_proposes(
    page, screenshot, server_errors, console_errors, bandung_household, e2e_db
):
    household = bandung_household
    page.goto("/login/")
    screenshot("login", phone=True)
    sign_in(page, "operator.bandung")
    text = assert_page_ok(page, server_errors, console_errors)
    assert "Beranda" in text and "Kota Bandung" in text, text[:500]
    screenshot("beranda", phone=True)

    # Find the household by its head's NIK, through the list's search form.
    open_menu_item(page, "Rumah Tangga")
    add_list_filter(page, "nik").fill(household["nik"])
    submit_list_filters(page)
    assert_page_ok(page, server_errors, console_errors)
    rows = page.locator("table tbody tr:has(a[href*='/households/show/'])")
    assert rows.count() == 1, page.inner_text("table")
    assert household["register_id"] in rows.first.inner_text()
    screenshot("found-by-nik", phone=True)

    with page.expect_navigation():
        rows.first.locator("a[href*='/households/show/']").first.click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert household["register_id"] in text
    screenshot("household", phone=True)

    # An impossible floor area: an Indonesian error, nothing saved.
    with page.expect_navigation():
        page.get_by_role("link", name="Ubah rumah tangga").click()
    old_area = household["floor_area_m2"]
    page.get_by_label("Luas lantai").fill("-5")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").click()
    text = assert_page_ok(page, server_errors, console_errors)
    error = page.locator(".has-error .help-block, .alert-danger, .text-danger").first
    assert error.is_visible(), text[:1500]
    assert "lantai" in error.inner_text().lower() or "lantai" in text.lower()
    screenshot("invalid-edit", phone=True)
    assert (
        scalar(e2e_db, "SELECT floor_area_m2 FROM household WHERE id = :id", id=household["id"])
        == old_area
    )

    # A valid one is saved.
    page.get_by_label("Luas lantai").fill(str(old_area + 7))
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert page.locator(".alert-success").count() == 1, text[:1500]
    assert (
        scalar(e2e_db, "SELECT floor_area_m2 FROM household WHERE id = :id", id=household["id"])
        == old_area + 7
    )

    # A new household with two further members, its village chosen by searching.
    open_menu_item(page, "Usulan")
    with page.expect_navigation():
        page.get_by_role("link", name="Usulkan rumah tangga baru").first.click()
    assert_page_ok(page, server_errors, console_errors)
    pick_in_search_select(page, "village_code", household["village"][:5], household["village"])
    page.get_by_label("Alamat").fill(HEAD["address"])
    page.get_by_label("Nama Lengkap").first.fill(HEAD["name"])
    page.locator("#head_nik").fill(HEAD["nik"])
    page.locator("#head_kk_number").fill(HEAD["kk"])
    page.locator("#head_birth_date").fill(HEAD["birth"])
    page.keyboard.press("Tab")  # on to the next field: the date picker closes, the date stays
    for index, (person, relation, sex) in enumerate(
        [(SPOUSE, "SPOUSE", "FEMALE"), (CHILD, "CHILD", "MALE")]
    ):
        prefix = f"#further_members-{index}-"
        page.locator(prefix + "full_name").fill(person["name"])
        page.locator(prefix + "nik").fill(person["nik"])
        page.locator(prefix + "relation_to_head").select_option(relation, force=True)
        page.locator(prefix + "sex").select_option(sex, force=True)
        page.locator(prefix + "birth_date").fill(person["birth"])
        page.keyboard.press("Tab")
    screenshot("proposal-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert "/proposals/show/" in page.url, text[:2000]
    screenshot("proposal", phone=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan untuk verifikasi").click()
    assert_page_ok(page, server_errors, console_errors)
    proposal = row(
        e2e_db,
        """
        SELECT p.status, (SELECT count(*) FROM member m WHERE m.household_id = h.id) AS people
        FROM proposal p JOIN household h ON h.id = p.household_id
        JOIN member m ON m.household_id = h.id AND m.nik = :nik""",
        nik=HEAD["nik"],
    )
    assert proposal and proposal["status"] == "SUBMITTED" and proposal["people"] == 3, proposal


def test_verifier_verifies_the_proposal(page, screenshot, server_errors, console_errors, e2e_db):
    proposal_id = scalar(
        e2e_db,
        """
        SELECT p.id FROM proposal p JOIN member m ON m.household_id = p.household_id
        WHERE m.nik = :nik AND p.status = 'SUBMITTED'""",
        nik=HEAD["nik"],
    )
    if proposal_id is None:
        pytest.skip("the operator's journey did not leave a submitted proposal")
    sign_in(page, "verifikator.bandung")
    open_menu_item(page, "Usulan")
    assert_page_ok(page, server_errors, console_errors)
    screenshot("proposals", phone=True)
    with page.expect_navigation():
        page.locator(f"a[href$='/proposals/show/{proposal_id}']").first.click()
    text = assert_page_ok(page, server_errors, console_errors)
    register_id = scalar(
        e2e_db,
        "SELECT h.register_id FROM proposal p JOIN household h "
        "ON h.id = p.household_id WHERE p.id = :id",
        id=proposal_id,
    )
    assert register_id in text and "Diajukan" in text, text[:2000]
    screenshot("proposal", phone=True)

    # The verifier looks at the proposed household and its members before deciding.
    with page.expect_navigation():
        page.get_by_role("link", name="Buka rumah tangga").click()
    assert_page_ok(page, server_errors, console_errors)
    page.locator(".nav-tabs a", has_text="Anggota Rumah Tangga").first.click()
    text = page.locator(".tab-pane.active").inner_text()
    for person in (HEAD, SPOUSE, CHILD):
        assert person["name"] in text, (person, text[:3000])
    screenshot("proposed-household", phone=True)
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name="Verifikasi").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert page.locator(".alert-success").count() == 1, text[:1000]
    screenshot("verified")
    assert (
        scalar(e2e_db, "SELECT status FROM proposal WHERE id = :id", id=proposal_id) == "VERIFIED"
    )


def test_overseer_reads_the_correction_and_cannot_change_anything(
    page, screenshot, server_errors, console_errors, bandung_household
):
    sign_in(page, "pengawas")
    visited = []

    def no_write_buttons():
        visited.append(page.url)
        writes = page.locator(
            "a[href*='/edit/'], a[href*='/add'], a[href*='/delete/'], "
            "form[action*='/delete/'], .btn:has(.fa-edit), .btn:has(.fa-trash), .btn:has(.fa-plus)"
        )
        assert writes.count() == 0, (
            page.url,
            [writes.nth(i).evaluate("e => e.outerHTML") for i in range(min(writes.count(), 3))],
        )

    assert_page_ok(page, server_errors, console_errors)
    no_write_buttons()
    open_menu_item(page, "Rumah Tangga")
    assert_page_ok(page, server_errors, console_errors)
    no_write_buttons()
    page.goto(f"/households/show/{bandung_household['id']}")
    assert_page_ok(page, server_errors, console_errors)
    no_write_buttons()

    open_menu_item(page, "Jejak Audit")
    text = assert_page_ok(page, server_errors, console_errors)
    no_write_buttons()
    screenshot("audit-list", phone=True)
    # The trail is long: the overseer narrows it to the operator's changes of households.
    add_list_filter(page, "username").fill("operator.bandung")
    add_list_filter(page, "entity").select_option("household", force=True)
    submit_list_filters(page)
    text = assert_page_ok(page, server_errors, console_errors)
    screenshot("audit-filtered", phone=True)
    entry = (
        page.locator("table tbody tr:has(a[href*='/audit/show/'])")
        .filter(has_text="Diubah")
        .filter(has=page.locator("td", has_text=re.compile(rf"^\s*{bandung_household['id']}\s*$")))
    )
    assert entry.count() == 1, text[:3000]
    with page.expect_navigation():
        entry.locator("a[href*='/audit/show/']").first.click()
    text = assert_page_ok(page, server_errors, console_errors)
    no_write_buttons()
    old_area = bandung_household["floor_area_m2"]
    assert "Luas lantai" in text, text[:2000]
    before = page.locator("tr", has_text="Sebelum").inner_text()
    changed = page.locator("tr", has_text="Sesudah").inner_text()
    assert str(old_area) in before and str(old_area + 7) in changed, (before, changed)
    # Only what the operator changed: the form kept every other value as it was.
    assert "Luas lantai" in changed and "Lintang" not in changed, changed
    screenshot("audit-entry", phone=True)


def test_a_bogor_address_typed_by_a_bandung_operator_is_not_found(
    page, screenshot, server_errors, live_server, e2e_db
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    bogor = scalar(
        e2e_db, "SELECT id FROM household WHERE village_code LIKE '32.01.%' ORDER BY id LIMIT 1"
    )
    sign_in(page, "operator.bandung")
    for path in (
        f"/households/show/{bogor}",
        f"/households/edit/{bogor}",
        f"/reports/household/{bogor}/certificate.pdf",
    ):
        response = page.goto(path)
        assert response.status == 404, (path, response.status)
        # (the browser's console reports the 404 of the page itself: no console check here)
        text = assert_page_ok(page, server_errors)
        assert "tidak ditemukan" in text.lower(), text[:500]
    screenshot("not-found", phone=True)
