"""Swagger UI renders in a real browser under the console's Content-Security-Policy (scripts
only with the request's nonce) and lists the API's operations."""

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_the_operations_without_csp_violations(
    page, console_errors, server_errors
):
    sign_in(page, "admin")
    page.goto("/swagger/v1")
    page.wait_for_selector(".opblock", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/nik-status/" in paths and "/api/v1/aggregate/" in paths
    assert not [text for text in console_errors if "Content Security Policy" in text], (
        console_errors
    )
    assert server_errors == []
