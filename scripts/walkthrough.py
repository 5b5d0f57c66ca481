"""The README's walkthrough pictures: each demo role signed in on the page it starts its day on,
photographed by Chromium from a running `make run` (docs/walkthrough/<role>.jpg).

    make run &   # or any server with the demo data
    .venv/bin/python scripts/walkthrough.py --url http://127.0.0.1:8080
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-Kesos-2026!")
VIEWPORT = {"width": 1280, "height": 800}

#: (picture, user or None for a resident, the page to show)
PAGES = (
    ("admin", "admin", "/offices/list/"),
    ("pusdatin", "pusdatin", "/period-close/"),
    ("provinsi", "prov.jabar", "/maps/"),
    ("operator", "operator.bandung", "/"),
    ("verifikator", "verifikator.bandung", "/"),
    ("pengawas", "pengawas", "/audit/list/"),
    ("warga", None, "/verify/"),
)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=username]) [type=submit]").first.click()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--output", default=str(ROOT / "docs" / "walkthrough"))
    arguments = parser.parse_args()
    base = arguments.url.rstrip("/")
    output = Path(arguments.output)
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for name, username, path in PAGES:
            context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
            page = context.new_page()
            if username:
                _sign_in(page, base, username)
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            target = output / f"{name}.jpg"
            page.screenshot(path=str(target), type="jpeg", quality=70)
            print(f"{target.relative_to(ROOT)}  {username or '(tanpa masuk)'}  {path}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
