"""Sign-in security through both doors (the web form and POST /api/v1/security/login):
lockout after five wrong passwords, refusal of region-less regional users, rate limits answered
429, a weak password refused by the add-user form (the rule itself: test_passwords.py), session
cookies, security headers, and the audit of every attempt.

Lockouts hit throwaway users made here, and each test signs in from an address of its own with
the rate-limit counters reset, so nothing leaks into the other tests of the session."""

import datetime
import itertools
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token

API_LOGIN = "/api/v1/security/login"
_addresses = itertools.count(1)


@pytest.fixture()
def limiter(app):
    limiter = app.appbuilder.sm.limiter
    limiter.reset()
    yield limiter
    limiter.reset()


@pytest.fixture()
def client(app, limiter):
    """A browser at an address no other test uses."""
    test_client = app.test_client()
    test_client.environ_base["REMOTE_ADDR"] = f"10.77.0.{next(_addresses)}"
    return test_client


@pytest.fixture()
def new_user(app):
    """A fresh user (Operator of Kota Bandung unless told otherwise) that only this test uses."""

    def _make(role="Operator", region="32.73"):
        from app.security.users import create_user

        username = f"test.{uuid.uuid4().hex[:10]}"
        with app.app_context():
            create_user(username, role, PASSWORD, region_code=region)
        return username

    return _make


def web_login(client, username, password):
    """Post the login form; returns the page the browser ends on."""
    token = csrf_token(client, "/login/")
    return client.post(
        "/login/",
        data={
            "username": username,
            "password": password,
            "csrf_token": token,
        },
        follow_redirects=True,
    )


def api_login(client, username, password):
    return client.post(
        API_LOGIN, json={"username": username, "password": password, "provider": "db"}
    )


def signed_in(client) -> bool:
    return client.get("/households/list/").status_code == 200


def audit_actions(app, username) -> list[str]:
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.username == username)
                .order_by(AuditEntry.id)
            )
        )


def set_user(app, username, **values):
    from app.extensions import db
    from models import RegionUser

    with app.app_context():
        db.session.execute(
            sa.update(RegionUser).where(RegionUser.username == username).values(**values)
        )
        db.session.commit()


# --- Lockout ---------------------------------------------------------------------------------


def test_five_wrong_web_logins_lock_the_account_even_for_the_right_password(app, client, new_user):
    username = new_user()
    for _attempt in range(4):
        page = web_login(client, username, "Salah-Sandi-123!").get_data(as_text=True)
        assert "Gagal masuk" in page and "dikunci" not in page
    page = web_login(client, username, "Salah-Sandi-123!").get_data(as_text=True)
    assert "Akun dikunci setelah 5 kali gagal masuk. Coba lagi dalam 15 menit." in page

    page = web_login(client, username, PASSWORD).get_data(as_text=True)
    assert "Akun dikunci" in page
    assert not signed_in(client)
    assert audit_actions(app, username) == ["login_failure"] * 5 + ["login_locked"]


def test_five_wrong_api_logins_lock_the_account(app, client, new_user):
    username = new_user()
    for _attempt in range(4):
        assert api_login(client, username, "Salah-Sandi-123!").status_code == 401
    locked = api_login(client, username, "Salah-Sandi-123!")
    assert locked.status_code == 403
    assert locked.get_json()["message"].startswith("Akun dikunci")

    refused = api_login(client, username, PASSWORD)
    assert refused.status_code == 403 and "access_token" not in refused.get_json()
    assert "Akun dikunci" in refused.get_json()["message"]


def test_twenty_wrong_api_logins_meet_429_answers_and_a_lockout(app, client, new_user, limiter):
    username = new_user()
    statuses = [api_login(client, username, f"Salah-{n}-Sandi!").status_code for n in range(20)]
    assert statuses[:4] == [401] * 4
    assert 403 in statuses  # the lock
    assert statuses[-10:] == [429] * 10
    too_many = api_login(client, username, PASSWORD)
    assert too_many.status_code == 429
    assert too_many.get_json()["message"].startswith("Terlalu banyak")
    assert "Retry-After" in too_many.headers

    limiter.reset()  # a minute later: the address may try again, the account is still locked
    still_locked = api_login(client, username, PASSWORD)
    assert still_locked.status_code == 403
    assert "Akun dikunci" in still_locked.get_json()["message"]


def test_a_lock_runs_out_and_a_success_resets_the_count(app, client, new_user):
    from app.extensions import db
    from models import RegionUser

    username = new_user()
    for _attempt in range(5):
        api_login(client, username, "Salah-Sandi-123!")
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    set_user(app, username, locked_until=past - datetime.timedelta(minutes=1))

    assert api_login(client, username, PASSWORD).status_code == 200
    with app.app_context():
        user = db.session.scalars(sa.select(RegionUser).filter_by(username=username)).one()
        assert user.fail_login_count == 0 and user.locked_until is None
    # counting starts again from zero: four more mistakes do not lock
    for _attempt in range(4):
        assert api_login(client, username, "Salah-Sandi-123!").status_code == 401
    assert api_login(client, username, PASSWORD).status_code == 200


def test_wrong_passwords_for_unknown_users_are_audited_under_the_attempted_name(app, client):
    username = f"nobody.{uuid.uuid4().hex[:8]}"
    assert api_login(client, username, "Salah-Sandi-123!").status_code == 401
    web_login(client, username, "Salah-Sandi-123!")
    assert audit_actions(app, username) == ["login_failure", "login_failure"]


def test_successes_and_failures_are_in_the_audit_trail(app, client, new_user):
    from app.extensions import db
    from models import AuditEntry, RegionUser

    username = new_user()
    web_login(client, username, "Salah-Sandi-123!")
    web_login(client, username, PASSWORD)
    assert signed_in(client)
    api_login(client, username, PASSWORD)
    with app.app_context():
        user = db.session.scalars(sa.select(RegionUser).filter_by(username=username)).one()
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.username == username).order_by(AuditEntry.id)
        ).all()
        assert [entry.action for entry in entries] == [
            "login_failure",
            "login_success",
            "login_success",
        ]
        for entry in entries:
            assert (entry.entity, entry.entity_id, entry.region_code) == (
                "user",
                str(user.id),
                "32.73",
            )
            assert entry.ip_address and entry.ip_address.startswith("10.77.0.")


# --- Region rule ---------------------------------------------------------------------------


def test_a_regional_user_without_a_region_cannot_sign_in(app, client, new_user):
    username = new_user("Operator", "32.73")
    set_user(app, username, region_code=None)

    page = web_login(client, username, PASSWORD).get_data(as_text=True)
    assert "Akun Anda belum memiliki wilayah" in page
    assert not signed_in(client)
    refused = api_login(client, username, PASSWORD)
    assert refused.status_code == 403
    assert "belum memiliki wilayah" in refused.get_json()["message"]
    assert audit_actions(app, username) == ["login_failure", "login_failure"]


def test_a_national_user_needs_no_region(client, new_user):
    username = new_user("Pengawas", "")
    assert api_login(client, username, PASSWORD).status_code == 200


# --- Rate limit ----------------------------------------------------------------------------


def test_the_web_login_is_rate_limited_per_address(app, client):
    pages = [web_login(client, f"nobody.{n}", "Salah-Sandi-123!") for n in range(11)]
    assert [page.status_code for page in pages[:10]] == [200] * 10
    assert pages[10].status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in pages[10].get_data(as_text=True)

    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.78.0.1"
    assert web_login(elsewhere, "nobody.x", "Salah-Sandi-123!").status_code == 200


def test_successful_sign_ins_do_not_use_up_the_limit(client, new_user):
    username = new_user()
    for _sign_in in range(12):
        assert api_login(client, username, PASSWORD).status_code == 200


# --- Password strength -----------------------------------------------------------------------


def test_the_add_user_form_refuses_a_weak_password(app, client):
    from app.extensions import db
    from models import RegionUser

    web_login(client, "admin", PASSWORD)
    username = f"weak.{uuid.uuid4().hex[:8]}"
    with app.app_context():
        operator = app.appbuilder.sm.find_role("Operator").id
    page = client.post(
        "/users/add",
        data={
            "csrf_token": csrf_token(client, "/users/add"),
            "first_name": "Lemah",
            "last_name": "Sandi",
            "username": username,
            "active": "y",
            "email": f"{username}@datakesos.invalid",
            "roles": str(operator),
            "password": "sandi123",
            "conf_password": "sandi123",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Gunakan minimal 10 karakter." in page
    with app.app_context():
        assert (
            db.session.scalars(sa.select(RegionUser).filter_by(username=username)).first() is None
        )

    page = client.post(
        "/users/add",
        data={
            "csrf_token": csrf_token(client, "/users/add"),
            "first_name": "Lemah",
            "last_name": "Sandi",
            "username": username,
            "active": "y",
            "email": f"{username}@datakesos.invalid",
            "roles": str(operator),
            "password": "Password1!",
            "conf_password": "Password1!",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Ini salah satu kata sandi yang paling umum." in page
    with app.app_context():
        assert (
            db.session.scalars(sa.select(RegionUser).filter_by(username=username)).first() is None
        )


# --- Sessions and headers ----------------------------------------------------------------------


def test_security_headers_on_every_page(client):
    for url in ("/login/", "/api/v1/_openapi"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_every_script_of_a_page_carries_the_request_nonce(client):
    web_login(client, "admin", PASSWORD)
    response = client.get("/households/list/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    scripts = html.count("<script")
    assert scripts > 0 and html.count(f'nonce="{nonce}"') == scripts


def test_the_session_cookie_is_http_only_lax_and_times_out(app, client):
    token = csrf_token(client, "/login/")
    response = client.post(
        "/login/", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # permanent: PERMANENT_SESSION_LIFETIME applies
    assert app.permanent_session_lifetime == datetime.timedelta(minutes=30)

    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        cookie = next(
            value
            for value in client.get("/").headers.getlist("Set-Cookie")
            if value.startswith("session=")
        )
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "Secure" in cookie


def test_a_post_to_the_login_form_without_csrf_token_is_refused(app, client, new_user):
    username = new_user()
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.status_code == 400
    assert not signed_in(client)
