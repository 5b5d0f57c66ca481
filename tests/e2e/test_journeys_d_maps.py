"""Journey of the maps: Pusdatin opens the national map from the menu (38 provinces), Provinsi
Jawa Barat its 27 regencies, and the clerk of Kota Bandung goes down from the city's districts
to a district's villages, a village's households and one household's page, at laptop and at
phone width; the picture and the table beside it agree, nothing overflows a phone's screen."""

import re

import pytest

from tests.e2e.helpers import assert_page_ok, open_menu_item, phone_width, row, sign_in

pytestmark = pytest.mark.e2e

AREAS = "svg.datakesos-map path.map-area"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _located_village(e2e_db):
    return row(
        e2e_db,
        "SELECT village_code, count(*) AS households FROM household WHERE status = 'ACTIVE' "
        "AND latitude IS NOT NULL AND village_code LIKE '32.73.%' "
        "GROUP BY village_code ORDER BY count(*) DESC, village_code LIMIT 1",
    )


def _check_phone(page):
    with phone_width(page):
        assert page.evaluate(OVERFLOW) <= 0, f"{page.url} is wider than a phone"
        assert page.locator("svg.datakesos-map").bounding_box()["width"] <= 390


def test_pusdatin_sees_the_provinces_from_the_menu(page, server_errors, console_errors):
    sign_in(page, "pusdatin")
    assert page.locator("#region-map " + AREAS).count() == 38  # Beranda carries the map
    open_menu_item(page, "Peta")
    text = assert_page_ok(page, server_errors, console_errors)
    assert page.locator(AREAS).count() == 38
    assert page.locator("#map-table tbody tr").count() == 38
    assert "Rumah Tangga — Indonesia, periode" in text
    hover = page.locator("svg.datakesos-map a[aria-label^='Jawa Barat:']")
    assert hover.count() == 1
    _check_phone(page)


def test_provinsi_sees_its_regencies_and_the_clerk_reaches_a_household(
    page, server_errors, console_errors, e2e_db, screenshot
):
    sign_in(page, "prov.jabar")
    page.goto("/maps/")
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator(AREAS).count() == 27
    assert page.locator("#map-table").get_by_text("Kota Bandung").count() == 1
    page.context.clear_cookies()

    village = _located_village(e2e_db)
    assert village is not None, "the demo gives Kota Bandung's households coordinates"
    code = village["village_code"]
    sign_in(page, "operator.bandung")
    page.goto("/maps/")
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator(AREAS).count() == 30
    screenshot("regency", phone=True)
    # Down to the district through its region on the map itself.
    with page.expect_navigation():
        page.locator(f"svg.datakesos-map a[href*='region={code[:8]}&']").click()
    text = assert_page_ok(page, server_errors, console_errors)
    assert re.search(r"\d+ dari \d+ rumah tangga memiliki koordinat", text)
    with page.expect_navigation():
        page.locator(f"svg.datakesos-map a[href*='region={code}&']").click()
    assert_page_ok(page, server_errors, console_errors)
    points = page.locator("svg.datakesos-map a[href^='/households/show/']")
    assert points.count() == village["households"]
    assert page.get_by_text("Desil 1–2").count() >= 1
    screenshot("village", phone=True)
    _check_phone(page)
    with page.expect_navigation():
        points.first.click(force=True)  # a 4-pixel circle: the click is the point's link
    assert "/households/show/" in page.url
    assert_page_ok(page, server_errors, console_errors)
