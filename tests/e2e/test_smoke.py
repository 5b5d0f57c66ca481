"""A person with a browser: the administrator signs in and opens the household register."""

import pytest

from tests.e2e.helpers import PASSWORD, assert_page_ok, open_menu_item, phone_width, sign_in

pytestmark = pytest.mark.e2e


def test_admin_signs_in_and_opens_the_household_list(
    page, live_server, screenshot, server_errors, console_errors
):
    sign_in(page, "admin")
    screenshot("after-login", phone=True)
    assert_page_ok(page, server_errors, console_errors)

    open_menu_item(page, "Rumah Tangga")
    screenshot("household-list", phone=True)
    text = assert_page_ok(page, server_errors, console_errors)

    assert "/list" in page.url, page.url
    assert "Rumah Tangga" in text
    if live_server.demo_loaded:
        assert page.locator("table tbody tr").count() > 0, "the demo households are not listed"

    # The toolbar's layout depends on how wide the pager is: also with 10 and 20 rows a page.
    list_url = page.url.split("?")[0]
    for url in (list_url, *(f"{list_url}?psize_HouseholdView={size}" for size in (10, 20))):
        page.goto(url)
        assert _overlapping_toolbar_boxes(page) == [], url
        with phone_width(page):
            assert _overlapping_toolbar_boxes(page) == [], f"{url} on a phone"

    # A record's page on a phone: every label and value fits the screen, none is cut off.
    page.goto(page.locator("a[href*='/households/show/']").first.get_attribute("href"))
    with phone_width(page):
        screenshot("household-phone")
        wider = page.evaluate("""() => [...document.querySelectorAll('.show-table')]
            .map(t => t.parentElement)
            .filter(box => box.scrollWidth > box.clientWidth + 1)
            .map(box => box.querySelector('th').innerText)""")
        assert page.locator(".show-table").count() > 0
        assert wider == [], f"tables wider than a phone, from the row {wider}"


def _overlapping_toolbar_boxes(page) -> list:
    """Pairs of boxes in the list's toolbar (pager, page size, add, back, record count,
    export) drawn over each other, by their text."""
    return page.evaluate("""() => {
        const boxes = [...document.querySelectorAll('.well.well-sm > *')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.innerText.trim().replace(/\\s+/g, ' '), e.getBoundingClientRect()]);
        const pairs = [];
        boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
            const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
            const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
            if (w > 1 && h > 1) pairs.push([a, b]);
        }));
        return pairs;
    }""")


# Flask-AppBuilder's security pages list permissions by their identifiers ("can list on
# HouseholdView"): names of code, not UI text, shown to administrators only.
TECHNICAL_PAGES = ("/roles/", "/permissions/", "/viewmenus/", "/permissionviews/")
# Flask-AppBuilder's user statistics chart (Google's chart library from the internet) is
# switched off in views/security.py; the tour fails if it comes back.


def test_admin_tours_every_menu_page(page, live_server, screenshot, server_errors, console_errors):
    """Every page of the menu opens whole, in Indonesian, with labelled fields."""
    sign_in(page, "admin")
    links = page.eval_on_selector_all(
        ".navbar .navbar-nav:not(.navbar-right) a[href]:not([href='#'])",
        "links => [...new Set(links.map(link => link.getAttribute('href')))]",
    )
    assert len(links) >= 10, links
    assert not any("userstatschartview" in href for href in links), links
    for href in links:
        if any(part in href for part in TECHNICAL_PAGES):
            continue
        page.goto(href)
        assert_page_ok(page, server_errors, console_errors)
        screenshot("menu-" + href.strip("/").replace("/", "-"))
    page.goto("/users/userinfo/")
    assert_page_ok(page, server_errors, console_errors)


def test_keyboard_only_sign_in_and_skip_link(page, screenshot, server_errors, console_errors):
    """Without a mouse: the name field has the focus, Tab reaches the password, Enter signs in;
    the first Tab on a page shows the link that skips the menu."""
    page.goto("/login/")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("pengawas")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_page_ok(page, server_errors, console_errors)
    assert "/login" not in page.url

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible() and skip.bounding_box()["x"] >= 0
    assert skip.inner_text() == "Langsung ke isi halaman"
    screenshot("skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
