"""A person with a browser: the administrator signs in and opens the household register."""
import re

import pytest

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=username]) [type=submit]").first.click()


def open_menu_item(page, label: str) -> None:
    """Click a menu entry by its visible text, opening its dropdown first when it has one."""
    link = page.locator(".navbar a").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
    if not link.is_visible():
        link.locator(
            "xpath=ancestor::li[contains(@class, 'dropdown')]/a[contains(@class, 'dropdown-toggle')]"
        ).first.click()
    with page.expect_navigation():
        link.click()


def test_admin_signs_in_and_opens_the_household_list(page, live_server, screenshot, server_errors):
    sign_in(page, "admin")
    screenshot("after-login")
    assert "/login" not in page.url, "still on the login page: " + page.inner_text("body")[:500]

    open_menu_item(page, "Rumah Tangga")
    screenshot("household-list")
    text = page.inner_text("body")

    assert "/list" in page.url, page.url
    assert "Rumah Tangga" in text
    for sign_of_failure in ("Internal Server Error", "Traceback", "Not Found"):
        assert sign_of_failure not in text
    assert server_errors == []
    if live_server.demo_loaded:
        assert page.locator("table tbody tr").count() > 0, "the demo households are not listed"
