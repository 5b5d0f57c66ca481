"""The clerk's quickest journey: find a person by NIK from the navigation bar, correct their
record, save — in at most three page loads (the search that opens the household's page, the
member's form, the save), at a laptop's and at a phone's width."""

import re

import pytest

from tests.e2e.helpers import LAPTOP, PHONE, assert_page_ok, row, sign_in

pytestmark = pytest.mark.e2e

#: Page loads of the whole journey, from typing the NIK to the saved record.
MAX_LOADS = 3


def _member(e2e_db, offset: int) -> dict:
    """A living member of Kota Bandung who is not a head (so not the one the register journeys
    search for), with their household."""
    return dict(
        row(
            e2e_db,
            """
            SELECT m.id, m.nik, m.full_name, m.household_id
            FROM member m JOIN household h ON h.id = m.household_id
            WHERE h.village_code LIKE '32.73.%' AND h.status = 'ACTIVE'
              AND m.status = 'ACTIVE' AND m.relation_to_head <> 'HEAD'
            ORDER BY m.id DESC LIMIT 1 OFFSET :offset""",
            offset=offset,
        )
    )


@pytest.mark.parametrize(("width", "offset"), [("laptop", 0), ("phone", 1)])
def test_operator_finds_by_nik_edits_and_saves_in_three_loads(
    page,
    screenshot,
    live_server,
    bandung_household,
    e2e_db,
    server_errors,
    console_errors,
    width,
    offset,
):
    member = _member(e2e_db, offset)
    page.set_viewport_size(PHONE if width == "phone" else LAPTOP)
    sign_in(page, "operator.bandung")  # on Beranda, whose navigation bar holds the box
    loads = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    # 1. The NIK typed in the navigation bar opens the member's household. A phone shows the
    # box at once; a laptop's bar, full of menus, shows its magnifier, which opens it.
    box = page.get_by_role("searchbox", name=re.compile(r"NIK.*KK.*(register|ID)", re.I))
    if width == "laptop":
        page.locator("label[for=quick-search-q]").click()
    assert box.is_visible()
    box.fill(member["nik"])
    screenshot("typed")
    with page.expect_navigation():
        box.press("Enter")
    assert f"/households/show/{member['household_id']}" in page.url, page.url
    assert_page_ok(page, server_errors, console_errors)
    found = page.locator("#found-member")
    assert member["full_name"] in found.inner_text()
    screenshot("found")

    # 2. The member's form, from the highlighted member.
    with page.expect_navigation():
        page.locator("#found-member-edit").click()
    assert f"/members/edit/{member['id']}" in page.url, page.url
    assert_page_ok(page, server_errors, console_errors)
    place = f"Bandung {width}"
    page.get_by_label("Tempat Lahir").fill(place)

    # 3. Saved.
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert page.locator(".alert-success").count() == 1, text[:1500]
    saved = row(e2e_db, "SELECT birth_place FROM member WHERE id = :id", id=member["id"])
    assert saved["birth_place"] == place

    assert len(loads) <= MAX_LOADS, loads


def test_a_name_lists_the_members_found_and_one_opens_their_household(
    page, live_server, bandung_household, e2e_db, server_errors, console_errors
):
    member = _member(e2e_db, 2)
    part = max(member["full_name"].split(), key=len)  # a name's longest word (≥ 3 letters)
    sign_in(page, "verifikator.bandung")
    page.goto(f"/search/?q={part}")
    text = assert_page_ok(page, server_errors, console_errors)
    results = page.locator("#quick-search-results tbody tr")
    if results.count() == 0:  # the only one of that name: opened at once
        assert "/households/show/" in page.url, text[:500]
        return
    assert page.get_by_role("searchbox").first.input_value() == part
    link = page.locator("#quick-search-results a", has_text=member["full_name"]).first
    with page.expect_navigation():
        link.click()
    assert_page_ok(page, server_errors, console_errors)
    assert member["full_name"] in page.locator("#found-member").inner_text()
    # A verifier reads: the member's record, no form to change it.
    assert page.locator("#found-member-edit").count() == 0
