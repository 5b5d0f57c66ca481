"""Browser tests: the real app, initialised with `flask datakesos init` and `demo`, served by
gunicorn on a free port, driven by Debian's Chromium through Playwright.

The server uses a fresh SQLite file, or — when TEST_DATABASE_URL is set — a fresh PostgreSQL
database named after the test database with `_e2e` appended, dropped afterwards."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.e2e.helpers import LAPTOP, PASSWORD, check_on_every_load, phone_width

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_HOUSEHOLDS = 50
START_TIMEOUT = 90


@dataclass(frozen=True)
class LiveServer:
    url: str
    demo_loaded: bool  # False while `flask datakesos demo` does not exist: then only `admin`


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict, *arguments: str, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`flask {' '.join(arguments)}` failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory):
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'datakesos.db'}"
        return
    from config import database_url

    url = sa.make_url(database_url(test_url))
    target = url.set(database=f"{url.database}_e2e")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    try:
        yield target.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, e2e_database_url):
    """A running Datakesos with demo data (or at least an `admin`)."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = dict(
        os.environ,
        DATABASE_URL=e2e_database_url,
        DATAKESOS_INSTANCE=str(instance),
        SECRET_KEY="e2e-secret-key-long-enough-for-hs256-jwt",
        DEMO_PASSWORD=PASSWORD,
        FLASK_APP="run.py",
        PYTHONUNBUFFERED="1",
    )
    _flask(env, "datakesos", "init")
    has_demo = (
        subprocess.run(
            [sys.executable, "-m", "flask", "datakesos", "demo", "--help"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        ).returncode
        == 0
    )
    if has_demo:
        _flask(env, "datakesos", "demo", "--households", str(DEMO_HOUSEHOLDS))
    else:
        _flask(env, "datakesos", "create-user", "admin", "--role", "Admin", "--password", PASSWORD)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = instance / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--bind",
                f"127.0.0.1:{port}",
                "run:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Jobs (period closes, certificate batches) run only in the scheduler process, as in
    # `make run`; it polls every second here so that a journey sees its job finish quickly.
    with open(instance / "scheduler.log", "w") as log:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "flask", "datakesos", "scheduler", "--poll-seconds", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(server, base_url + "/login/", log_path)
        yield LiveServer(base_url, has_demo)
    finally:
        _stop(scheduler)
        _stop(server)


@pytest.fixture(scope="session")
def e2e_db(e2e_database_url):
    """The live server's database, for reading what a journey changed (and choosing its
    records): a SQLAlchemy engine."""
    engine = sa.create_engine(e2e_database_url)
    yield engine
    engine.dispose()


def _wait_until_serving(server: subprocess.Popen, url: str, log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"the server exited ({server.returncode}):\n{log_path.read_text()[-5000:]}",
                pytrace=False,
            )
        try:
            with opener.open(url, timeout=5):
                return
        except urllib.error.HTTPError as error:
            pytest.fail(
                f"{url} answered {error.code}:\n{log_path.read_text()[-5000:]}", pytrace=False
            )
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    _stop(server)
    pytest.fail(
        f"the server did not answer within {START_TIMEOUT} s:\n{log_path.read_text()[-5000:]}",
        pytrace=False,
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@pytest.fixture(scope="session")
def bandung_household(live_server, e2e_db):
    """An active household of Kota Bandung, with its head's NIK and its village's name (read
    before any journey changed it)."""
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    with e2e_db.connect() as connection:
        found = (
            connection.execute(
                sa.text("""
            SELECT h.id, h.register_id, h.floor_area_m2, h.village_code, m.nik, r.name AS village
            FROM household h
            JOIN member m ON m.household_id = h.id AND m.relation_to_head = 'HEAD'
            JOIN region r ON r.code = h.village_code
            WHERE h.village_code LIKE '32.73.%' AND h.status = 'ACTIVE'
              AND h.floor_area_m2 IS NOT NULL
            ORDER BY h.id LIMIT 1""")
            )
            .mappings()
            .first()
        )
    assert found, "the demo holds no household of Kota Bandung"
    return dict(found)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (`make install` installs Debian's chromium)"
        if _under_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def server_errors() -> list[str]:
    """Every response of status 500 or more that the page received, as "STATUS URL"."""
    return []


@pytest.fixture()
def console_errors() -> list[str]:
    """Every error the browser console reported (a script blocked by the CSP, a failed asset)."""
    return []


@pytest.fixture()
def accessibility_findings() -> list[str]:
    """What the check of every loaded page found (axe-core's critical and serious violations,
    overflow at a phone's width); the page fixture fails the test at its end if any."""
    return []


@pytest.fixture()
def page(browser, live_server, server_errors, console_errors, accessibility_findings, request):
    """A fresh browser context (no cookies) in Indonesian, on the live server; every page it
    loads is checked for accessibility (tests/e2e/helpers.py, page_findings)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport=LAPTOP,
    )
    context.set_default_timeout(20_000)
    new_page = context.new_page()
    new_page.on(
        "response",
        lambda response: response.status >= 500
        and server_errors.append(f"{response.status} {response.url}"),
    )
    new_page.on(
        "console",
        lambda message: message.type == "error" and console_errors.append(message.text),
    )
    new_page.on("pageerror", lambda error: console_errors.append(str(error)))
    check_on_every_load(new_page, accessibility_findings)
    try:
        yield new_page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            new_page.screenshot(
                path=str(SCREENSHOTS / f"{request.node.name}-final.png"), full_page=True
            )
        except Exception:  # noqa: BLE001 - a screenshot must not hide the test's own result
            pass
        context.close()
    if accessibility_findings:
        findings = "\n".join(dict.fromkeys(accessibility_findings))
        pytest.fail(f"pages with accessibility findings:\n{findings}", pytrace=False)


@pytest.fixture()
def screenshot(page, request):
    """`screenshot("step")` saves tests/e2e/screenshots/<test>-<step>.png at the laptop size,
    and with `phone=True` also <test>-<step>-phone.png at a phone's width (390×844)."""

    def _take(step: str, phone: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if phone:
            with phone_width(page):
                page.screenshot(
                    path=str(SCREENSHOTS / f"{request.node.name}-{step}-phone.png"), full_page=True
                )
        return path

    return _take
