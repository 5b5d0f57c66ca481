"""A person with a browser: the administrator signs in and opens the household register."""
import pytest

from tests.e2e.helpers import assert_page_ok, open_menu_item, sign_in

pytestmark = pytest.mark.e2e


def test_admin_signs_in_and_opens_the_household_list(page, live_server, screenshot, server_errors,
                                                     console_errors):
    sign_in(page, "admin")
    screenshot("after-login", phone=True)
    assert_page_ok(page, server_errors, console_errors)

    open_menu_item(page, "Rumah Tangga")
    screenshot("household-list", phone=True)
    text = assert_page_ok(page, server_errors, console_errors)

    assert "/list" in page.url, page.url
    assert "Rumah Tangga" in text
    for sign_of_failure in ("Internal Server Error", "Traceback", "Not Found"):
        assert sign_of_failure not in text
    assert server_errors == []
    if live_server.demo_loaded:
        assert page.locator("table tbody tr").count() > 0, "the demo households are not listed"
