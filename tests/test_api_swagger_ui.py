"""Swagger UI renders in a real browser under the console's Content-Security-Policy (scripts
only with the request's nonce) and lists the API's operations."""
import os
import socket
import threading

import pytest

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture()
def served(app):
    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    original = app.config["SERVER_NAME"]
    app.config["SERVER_NAME"] = f"localhost:{port}"
    server = make_server("127.0.0.1", port, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        app.config["SERVER_NAME"] = original


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_swagger_ui_renders_the_operations_without_csp_violations(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            problems = []
            page.on("console", lambda message: problems.append(message.text)
                    if message.type == "error" else None)
            page.goto(f"{served}/login/")
            page.fill("#username", "admin")
            page.fill("#password", PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_load_state("networkidle")
            page.goto(f"{served}/swagger/v1")
            page.wait_for_selector(".opblock", timeout=20_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert "/api/v1/nik-status/" in paths and "/api/v1/aggregate/" in paths
            assert not [text for text in problems if "Content Security Policy" in text], problems
        finally:
            browser.close()
