"""On a phone (390 px): every page of the menu and the add and edit forms of the register fit
the screen — fields stacked under their labels, lists as cards — and pass axe-core without a
critical or serious violation (both checked on every page by the page fixture)."""

import pytest

from tests.e2e.helpers import (
    PHONE,
    assert_accessible,
    assert_page_ok,
    sign_in,
    wait_for_load_check,
)

pytestmark = pytest.mark.e2e

# (list, add form) of each register: the edit form is the first record's "edit" link of the
# list. Regions are read-only (a record's page instead); users are the administrator's.
FORMS = {
    "households": ("/households/list/", "/proposals/households/add"),
    "members": ("/members/list/", None),  # its add form belongs to a household (below)
    "proposals": ("/proposals/list/", "/proposals/households/add"),
    "regions": ("/regions/list/", None),
    "programs": ("/programs/list/", "/programs/add"),
    "users": ("/users/list/", "/users/add"),
}

# Fields a user fills in that lie (partly) outside the screen's width.
_FIELDS_OFF_SCREEN = """(width) => [...document.querySelectorAll(
    'form input, form select, form textarea, form .select2-selection')]
  .filter((el) => !el.matches('[type=hidden], .select2-hidden-accessible'))
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter((el) => !el.closest('#filter_form, .navbar, .modal'))
  .map((el) => [el.name || el.id || el.className, el.getBoundingClientRect()])
  .filter(([, box]) => box.left < 0 || box.right > width + 0.5)
  .map(([name, box]) => `${name}: ${Math.round(box.left)}..${Math.round(box.right)}`)"""


# Flask-AppBuilder's security pages name permissions by their identifiers ("can list on
# HouseholdView"), not in Indonesian: only their accessibility is checked.
TECHNICAL_PAGES = ("/roles/", "/permissions/", "/viewmenus/", "/permissionviews/")


def _open(page, path, server_errors, console_errors) -> bool:
    """Open `path`; False when this user may not (403/404, or sent back to the start)."""
    errors_before = len(console_errors)
    response = page.goto(path)
    if response is None or response.status in (403, 404) or "/login" in page.url:
        del console_errors[errors_before:]  # the browser reports the refused page itself
        return False
    if any(part in path for part in TECHNICAL_PAGES):
        assert_accessible(page)
    else:
        assert_page_ok(page, server_errors, console_errors)
    assert page.locator("h1").count() >= 1, f"no main heading (h1) on {page.url}"
    return True


def _assert_fields_on_screen(page) -> None:
    assert page.locator("form input:visible, form select, form textarea").count() > 0, page.url
    off_screen = page.evaluate(_FIELDS_OFF_SCREEN, PHONE["width"])
    assert off_screen == [], f"fields outside a phone's screen on {page.url}: {off_screen}"


def _first_link(page, part: str) -> str | None:
    link = page.locator(f".table a[href*='{part}']").first
    return link.get_attribute("href") if link.count() else None


@pytest.mark.parametrize("username", ["operator.bandung", "admin"])
def test_every_page_and_form_fits_a_phone(
    page, live_server, screenshot, username, server_errors, console_errors
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    page.set_viewport_size(PHONE)
    sign_in(page, username)
    menu = page.eval_on_selector_all(
        ".navbar .navbar-nav a[href]:not([href='#'])",
        "links => [...new Set(links.map(link => link.getAttribute('href')))]",
    )
    assert len(menu) >= 5, menu
    # The folding menu, opened, is as accessible as the page under it.
    wait_for_load_check(page)
    page.locator(".navbar-toggle").first.click()
    # Bootstrap's transition ends, and with it its own aria mark on the <div>.
    page.wait_for_function(
        "() => { const menu = document.querySelector('.navbar-collapse');"
        " return menu && menu.classList.contains('in') &&"
        " !menu.classList.contains('collapsing') && !menu.hasAttribute('aria-expanded'); }"
    )
    assert_accessible(page)
    for href in menu:
        if "/logout" in href or "/lang/" in href:
            continue
        _open(page, href, server_errors, console_errors)

    forms_checked = []
    for register, (list_path, add_path) in FORMS.items():
        if not _open(page, list_path, server_errors, console_errors):
            continue
        screenshot(f"{register}-list")
        edit = _first_link(page, "/edit/")
        show = _first_link(page, "/show/")
        for kind, path in (("edit", edit), ("add", add_path)):
            if path and _open(page, path, server_errors, console_errors):
                _assert_fields_on_screen(page)
                screenshot(f"{register}-{kind}")
                forms_checked.append(f"{register} {kind}")
        if show and _open(page, show, server_errors, console_errors):
            forms_checked.append(f"{register} record")
    assert forms_checked, "no form opened"
    if username == "operator.bandung":
        for expected in ("households add", "households edit", "members edit"):
            assert expected in forms_checked, forms_checked
    else:
        for expected in ("programs add", "programs edit", "users add", "users edit"):
            assert expected in forms_checked, forms_checked


@pytest.mark.parametrize(
    ("username", "form"),
    [("operator.bandung", "/proposals/members/add"), ("admin", "/members/add")],
)
def test_a_member_form_of_a_household_fits_a_phone(
    page, bandung_household, username, form, server_errors, console_errors
):
    page.set_viewport_size(PHONE)
    sign_in(page, username)
    path = f"{form}?_flt_0_household={bandung_household['id']}"
    assert _open(page, path, server_errors, console_errors), path
    _assert_fields_on_screen(page)
