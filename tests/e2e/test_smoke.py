"""A person with a browser: the administrator signs in and opens the household register."""
import pytest

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=username]) [type=submit]").first.click()


def test_admin_signs_in_and_opens_the_household_list(page, screenshot, server_errors):
    sign_in(page, "admin")
    screenshot("after-login")
    assert "/login" not in page.url, "still on the login page: " + page.inner_text("body")[:500]

    response = page.goto("/householdview/list/")
    screenshot("household-list")
    text = page.inner_text("body")

    assert response is not None and response.status == 200, f"status {response and response.status}"
    assert "Rumah Tangga" in text
    for sign_of_failure in ("Internal Server Error", "Traceback", "Not Found"):
        assert sign_of_failure not in text
    assert server_errors == []
