"""Test harness: one app per session on SQLite (default) or PostgreSQL (TEST_DATABASE_URL),
initialised the way `flask datakesos init` does it; register data is emptied after each test."""

import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest_plugins = (
    "tests.fixtures.factories",
    "tests.fixtures.periods",
    "tests.fixtures.documents",
    "tests.fixtures.proposals",
    "tests.fixtures.sessions",
    "tests.fixtures.exports",
    "tests.fixtures.complaints",
)
ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
_tmp = tempfile.mkdtemp(prefix="datakesos-test-")
os.environ.setdefault("DATAKESOS_INSTANCE", _tmp)
os.environ.setdefault("SECRET_KEY", "test-secret-key-long-enough-for-hs256-jwt")

PASSWORD = "Demo-Kesos-2026!"
USERS = {
    "admin": ("Admin", ""),
    "pusdatin": ("Pusdatin", ""),
    "prov.jabar": ("Provinsi", "32"),
    "operator.bandung": ("Operator", "32.73"),
    "verifikator.bandung": ("Verifikator", "32.73"),
    "operator.bogor": ("Operator", "32.01"),
    "pengawas": ("Pengawas", ""),
    "interkoneksi": ("Interkoneksi", "32"),
}
BANDUNG_VILLAGE = "32.73.01.1001"
BOGOR_VILLAGE = "32.01.01.1001"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def database_url() -> str:
    return TEST_DATABASE_URL or f"sqlite:///{os.path.join(_tmp, 'test.db')}"


@pytest.fixture(scope="session")
def app():
    from app import create_app
    from app.bootstrap import initialise
    from app.security.users import create_user
    from config import database_url as normalise

    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise(database_url()),
            "TESTING": True,
            "SERVER_NAME": "localhost",
        }
    )
    with application.app_context():
        initialise()
        for username, (role, region) in USERS.items():
            if not application.appbuilder.sm.find_user(username=username):
                create_user(username, role, PASSWORD, region_code=region)
    yield application


@pytest.fixture()
def app_context(app):
    with app.app_context():
        yield app


@pytest.fixture(autouse=True)
def _empty_register(request):
    """Each test starts with regions, programs, users and the open period, but no households
    and no lookup counters."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from app.extensions import db

    with application.app_context():
        db.session.rollback()
        for table in (
            "complaint_photo",
            "complaint",
            "public_lookup_count",
            "program_membership",
            "member",
            "family",
            "household",
            "lookup_count",
        ):
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        # No lookup suspension (app.security.lookups) is carried from one test to the next either.
        db.session.execute(
            sa.text("UPDATE ab_user SET lookup_suspended_at = NULL, lookup_suspended_reason = NULL")
        )
        db.session.commit()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def fresh_rate_limits(app):
    """Rate-limit counters (per process, memory://) emptied before and after the test."""
    app.appbuilder.sm.limiter.reset()
    yield
    app.appbuilder.sm.limiter.reset()


@pytest.fixture()
def server_errors_answered(app):
    """A server error is answered as a user would get it (a 500 page), not raised into the
    test: tests that walk or fuzz doors count them."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = None


@pytest.fixture()
def audit_trail(app):
    """`audit_trail(action)`: the entries of `action` written since the test began, as
    (username, entity, after), oldest first."""
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        mark = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))

    def entries(action: str) -> list[tuple]:
        with app.app_context():
            return [
                (entry.username, entry.entity, entry.after)
                for entry in db.session.scalars(
                    sa.select(AuditEntry)
                    .where(AuditEntry.action == action, AuditEntry.id > mark)
                    .order_by(AuditEntry.id)
                )
            ]

    return entries


def signed_in(app, username: str, password: str = PASSWORD):
    """A browser of its own (its own cookies), signed in to the console as `username`."""
    client = app.test_client()
    token = csrf_token(client, "/login/")
    response = client.post(
        "/login/", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no csrf token on {url}"
    return match.group(1) or match.group(2)


def session_csrf(client) -> str:
    """A CSRF token for the signed-in user's session (any of their forms carries one)."""
    return csrf_token(client, "/resetmypassword/form")


@pytest.fixture()
def login(client):
    def _login(username: str, password: str = PASSWORD):
        token = csrf_token(client, "/login/")
        response = client.post(
            "/login/", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


def bearer(client, username: str, password: str = PASSWORD) -> dict:
    """Headers of an API client signed in through POST /api/v1/security/login (JWT)."""
    response = client.post(
        "/api/v1/security/login",
        json={
            "username": username,
            "password": password,
            "provider": "db",
            "refresh": False,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture()
def token(client):
    return lambda username: bearer(client, username)


def form_defaults(client, url: str) -> dict:
    """The hidden values of the form at `url` (CSRF token, record version), as a browser
    would send them back."""
    html = client.get(url).get_data(as_text=True)
    values = {"csrf_token": _CSRF.search(html).group(1) or _CSRF.search(html).group(2)}
    version = re.search(
        r'id="expected_version" name="expected_version"[^>]*value="([^"]*)"'
        r'|name="expected_version"[^>]*value="([^"]*)"',
        html,
    )
    if version:
        values["expected_version"] = version.group(1) or version.group(2)
    return values
