"""Sign-ins that end (app/security/sessions.py): a console session is a server-side row that
sign-out deletes, so a copied cookie is refused afterwards; a password change (own or by an
administrator), a lockout and a deactivation end every session, JWT and refresh token of the
account; token lifetimes come from the configuration. And the CSRF check: a bearer header
exempts a request only when the token is what signs it in (views/security.py).

Revocations hit throwaway users made here; each browser has an address of its own and the
rate-limit counters are reset, so nothing leaks into the other tests of the session."""

import datetime
import importlib
import itertools
import re
import uuid

import jwt
import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, PASSWORD, csrf_token, form_defaults, session_csrf

API_LOGIN, API_REFRESH = "/api/v1/security/login", "/api/v1/security/refresh"
HOUSEHOLDS_PAGE, HOUSEHOLDS_API = "/households/list/", "/api/v1/household/"
NEW_PASSWORD = "Jembatan-Kuning-Tua-47!"
_addresses = itertools.count(1)


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture()
def browser(app):
    """A new browser at an address no other test uses."""

    def _make():
        client = app.test_client()
        number = next(_addresses)
        client.environ_base["REMOTE_ADDR"] = f"10.88.{number // 250}.{number % 250 + 1}"
        return client

    return _make


@pytest.fixture()
def new_user(app):
    """A fresh Operator of Kota Bandung that only this test uses."""

    def _make():
        from app.security.users import create_user

        username = f"sesi.{uuid.uuid4().hex[:10]}"
        with app.app_context():
            create_user(username, "Operator", PASSWORD, region_code="32.73")
        return username

    return _make


def sign_in(client, username, password=PASSWORD):
    response = client.post(
        "/login/",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client, "/login/"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def api_tokens(client, username, password=PASSWORD) -> tuple[str, str]:
    response = client.post(
        API_LOGIN,
        json={"username": username, "password": password, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return body["access_token"], body["refresh_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def page_status(client) -> int:
    return client.get(HOUSEHOLDS_PAGE).status_code


def api_status(client, access: str) -> int:
    return client.get(HOUSEHOLDS_API, headers=bearer(access)).status_code


def refresh_status(client, refresh: str) -> int:
    return client.post(API_REFRESH, headers=bearer(refresh)).status_code


def session_rows(app, username) -> int:
    from app.extensions import db
    from models import ConsoleSession, RegionUser

    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ConsoleSession)
            .join(RegionUser, RegionUser.id == ConsoleSession.user_id)
            .where(RegionUser.username == username)
        )


def user_id(app, username) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


class Everything:
    """A user signed in everywhere at once: two browsers, a JWT and a refresh token."""

    def __init__(self, browser, username):
        self.username = username
        self.first, self.second, self.api = browser(), browser(), browser()
        sign_in(self.first, username)
        sign_in(self.second, username)
        self.access, self.refresh = api_tokens(self.api, username)
        assert self.statuses() == {"first": 200, "second": 200, "jwt": 200, "refresh": 200}

    def statuses(self) -> dict:
        return {
            "first": page_status(self.first),
            "second": page_status(self.second),
            "jwt": api_status(self.api, self.access),
            "refresh": refresh_status(self.api, self.refresh),
        }


ENDED = {"first": 302, "second": 302, "jwt": 401, "refresh": 401}


# --- Sign-out ------------------------------------------------------------------------------------


def test_a_cookie_replayed_after_sign_out_is_refused(app, browser, new_user):
    from app.extensions import db
    from models import AuditEntry

    username = new_user()
    client = browser()
    sign_in(client, username)
    cookie = client.get_cookie("session").value
    assert page_status(client) == 200 and session_rows(app, username) == 1

    client.get("/logout/")
    assert session_rows(app, username) == 0
    thief = browser()
    thief.set_cookie("session", cookie, domain="localhost")
    refused = thief.get(HOUSEHOLDS_PAGE)
    assert refused.status_code == 302 and "/login/" in refused.headers["Location"]
    login_page = thief.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda telah berakhir. Silakan masuk kembali." in login_page
    assert page_status(thief) == 302  # the emptied cookie signs nobody in either
    # the API answers a replayed cookie as it answers anyone without a session
    replay = browser()
    replay.set_cookie("session", cookie, domain="localhost")
    assert replay.get(HOUSEHOLDS_API).status_code == 401
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.username == username)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["login_success", "logout"]
        logout = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.username == username, AuditEntry.action == "logout"
            )
        )
        assert logout.user_id == user_id(app, username) and logout.entity_id == str(logout.user_id)


def test_signing_out_ends_only_that_browser_s_session(app, browser, new_user):
    username = new_user()
    office, home = browser(), browser()
    sign_in(office, username)
    sign_in(home, username)
    office.get("/logout/")
    assert page_status(office) == 302
    assert page_status(home) == 200
    assert session_rows(app, username) == 1


def test_only_the_hash_of_the_session_id_is_stored(app, browser, new_user):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    client.environ_base["HTTP_USER_AGENT"] = "Peramban Uji/1.0"
    sign_in(client, username)
    with client.session_transaction() as cookie_session:
        session_id = cookie_session["sid"]
    with app.app_context():
        row = db.session.scalar(
            sa.select(ConsoleSession).where(ConsoleSession.user_id == user_id(app, username))
        )
        assert row.token_hash != session_id and len(row.token_hash) == 64
        assert session_id not in row.token_hash
        assert row.user_agent == "Peramban Uji/1.0"
        assert row.ip_address == client.environ_base["REMOTE_ADDR"]


def test_a_forged_session_id_signs_nobody_in(app, browser, new_user):
    username = new_user()
    client = browser()
    sign_in(client, username)
    with client.session_transaction() as cookie_session:
        cookie_session["sid"] = "tebakan"
    assert page_status(client) == 302


def test_a_session_idle_past_its_lifetime_is_refused_by_the_server_too(app, browser, new_user):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    sign_in(client, username)
    long_ago = (
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        - app.permanent_session_lifetime
        - datetime.timedelta(minutes=5)
    )
    with app.app_context():
        db.session.execute(
            sa.update(ConsoleSession)
            .where(ConsoleSession.user_id == user_id(app, username))
            .values(last_seen_at=long_ago)
        )
        db.session.commit()
    assert page_status(client) == 302
    sign_in(browser(), username)  # a new sign-in clears rows that have idled out
    assert session_rows(app, username) == 1


def test_a_request_costs_one_session_lookup_and_last_use_is_written_sparingly(
    app, browser, new_user
):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    sign_in(client, username)
    statements = []

    def _record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _record)
    try:
        assert page_status(client) == 200
        touching = [sql for sql in statements if "console_session" in sql]
        users = [sql for sql in statements if re.search(r"FROM ab_user\b", sql)]
        assert len(touching) == 1 and touching[0].lstrip().upper().startswith("SELECT")
        assert users == touching  # the user comes with it: no query of its own
        statements.clear()
        assert client.get("/static/css/datakesos.css").status_code == 200
        assert not [sql for sql in statements if "console_session" in sql]  # assets: none
        statements.clear()
        with app.app_context():
            row = db.session.scalar(
                sa.select(ConsoleSession).where(ConsoleSession.user_id == user_id(app, username))
            )
            row.last_seen_at -= datetime.timedelta(minutes=2)
            db.session.commit()
        statements.clear()
        assert page_status(client) == 200
        writes = [
            sql
            for sql in statements
            if sql.lstrip().upper().startswith("UPDATE") and "console_session" in sql
        ]
        assert len(writes) == 1  # older than SESSION_TOUCH_SECONDS: written once
        statements.clear()
        assert page_status(client) == 200
        assert not [
            sql
            for sql in statements
            if sql.lstrip().upper().startswith("UPDATE") and "console_session" in sql
        ]
    finally:
        sa.event.remove(engine, "before_cursor_execute", _record)


# --- Revocation ----------------------------------------------------------------------------------


def test_changing_one_s_password_ends_every_other_session_and_token(app, browser, new_user):
    username = new_user()
    everywhere = Everything(browser, username)
    page = everywhere.first.post(
        "/resetmypassword/form",
        data={
            "csrf_token": session_csrf(everywhere.first),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "Kata sandi berhasil diubah. Sesi Anda yang lain dan token API Anda telah diakhiri." in page
    )
    assert everywhere.statuses() == {**ENDED, "first": 200}  # the browser that changed it stays
    assert session_rows(app, username) == 1
    access, refresh = api_tokens(browser(), username, NEW_PASSWORD)
    assert api_status(browser(), access) == 200 and refresh_status(browser(), refresh) == 200


def test_an_administrator_s_reset_ends_every_session_and_token(
    app, browser, new_user, login, client
):
    username = new_user()
    everywhere = Everything(browser, username)
    login("admin")
    url = f"/resetpassword/form?pk={user_id(app, username)}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert everywhere.statuses() == ENDED
    assert session_rows(app, username) == 0
    assert client.get("/users/list/").status_code == 200  # the administrator's own session stays


def test_a_lockout_ends_every_session_and_token(app, browser, new_user):
    username = new_user()
    everywhere = Everything(browser, username)
    guesser = browser()
    for attempt in range(app.config["AUTH_LOCKOUT_ATTEMPTS"]):
        guesser.post(
            API_LOGIN,
            json={"username": username, "password": f"Tebakan-{attempt}!", "provider": "db"},
        )
    assert everywhere.statuses() == ENDED
    assert session_rows(app, username) == 0


def test_a_deactivation_ends_every_session_token_and_api_key(app, browser, new_user, login, client):
    username = new_user()
    everywhere = Everything(browser, username)
    key = app.test_cli_runner().invoke(args=["datakesos", "create-api-key", username]).output
    key = re.search(r"^dks_\S+$", key, flags=re.MULTILINE).group(0)
    assert api_status(browser(), key) == 200
    login("admin")
    pk = user_id(app, username)
    with app.app_context():
        operator = app.appbuilder.sm.find_role("Operator").id
    response = client.post(
        f"/users/edit/{pk}",
        data={
            **form_defaults(client, f"/users/edit/{pk}"),
            "first_name": username,
            "last_name": "Uji",
            "username": username,
            "email": f"{username}@datakesos.invalid",
            "roles": str(operator),
            "region_code": "32.73",  # "active" left unticked
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert app.appbuilder.sm.find_user(username=username).active is False
    assert everywhere.statuses() == ENDED
    assert api_status(browser(), key) == 401


def test_a_reactivated_account_does_not_revive_old_tokens(app, browser, new_user):
    from app.extensions import db
    from models import RegionUser

    username = new_user()
    everywhere = Everything(browser, username)
    with app.app_context():
        user = db.session.scalar(sa.select(RegionUser).filter_by(username=username))
        user.active = False
        db.session.commit()
        user.active = True
        db.session.commit()
    assert everywhere.statuses() == ENDED


def test_a_refused_token_is_answered_in_indonesian(app, browser, new_user):
    username = new_user()
    client = browser()
    access, _refresh = api_tokens(client, username)
    from app.extensions import db
    from models import RegionUser

    with app.app_context():
        db.session.execute(
            sa.update(RegionUser)
            .where(RegionUser.username == username)
            .values(token_epoch=RegionUser.token_epoch + 1)
        )
        db.session.commit()
    response = client.get(HOUSEHOLDS_API, headers=bearer(access))
    assert response.status_code == 401
    assert response.get_json()["message"] == "Sesi Anda telah berakhir. Silakan masuk kembali."


def test_token_errors_are_answered_in_indonesian(app, browser, new_user):
    username = new_user()
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    expired = jwt.encode(
        {
            "sub": str(user_id(app, username)),
            "type": "access",
            "fresh": False,
            "iat": past,
            "nbf": past,
            "jti": uuid.uuid4().hex,
            "epoch": 0,
            "exp": past + datetime.timedelta(minutes=15),
        },
        app.config["SECRET_KEY"],
        algorithm="HS256",
    )
    client = browser()
    answers = [
        client.get(HOUSEHOLDS_API, headers=headers)
        for headers in (bearer(expired), bearer("junk"), {})
    ]
    assert [(answer.status_code, answer.get_json()["message"]) for answer in answers] == [
        (401, "Sesi Anda telah berakhir. Silakan masuk kembali."),
        (422, "Token tidak sah. Silakan masuk kembali."),
        (401, "Masuk terlebih dahulu: kirim token atau kunci API."),
    ]


def test_a_token_without_the_epoch_claim_is_refused(app, browser, new_user):
    username = new_user()
    now = datetime.datetime.now(datetime.UTC)
    forged = jwt.encode(
        {
            "sub": str(user_id(app, username)),
            "type": "access",
            "fresh": False,
            "iat": now,
            "nbf": now,
            "jti": uuid.uuid4().hex,
            "exp": now + datetime.timedelta(minutes=5),
        },
        app.config["SECRET_KEY"],
        algorithm="HS256",
    )
    assert api_status(browser(), forged) == 401


# --- Lifetimes -----------------------------------------------------------------------------------


def test_tokens_live_as_configured(app, browser, new_user):
    access, refresh = api_tokens(browser(), new_user())
    for token, seconds in ((access, 15 * 60), (refresh, 12 * 3600)):
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == seconds
        assert claims["epoch"] == 0


def test_lifetimes_are_read_from_the_environment(monkeypatch):
    import config

    monkeypatch.setenv("JWT_ACCESS_TOKEN_MINUTES", "5")
    monkeypatch.setenv("JWT_REFRESH_TOKEN_HOURS", "2")
    try:
        reloaded = importlib.reload(config)
        assert reloaded.Config.JWT_ACCESS_TOKEN_EXPIRES == datetime.timedelta(minutes=5)
        assert reloaded.Config.JWT_REFRESH_TOKEN_EXPIRES == datetime.timedelta(hours=2)
    finally:
        monkeypatch.undo()
        importlib.reload(config)


# --- CSRF: a bearer header exempts only when its token signs the request in ----------------------


@pytest.fixture()
def household(make_household):
    return make_household(BANDUNG_VILLAGE)


def household_exists(app, household_id) -> bool:
    from app.extensions import db
    from models import Household

    with app.app_context():
        return db.session.get(Household, household_id) is not None


def household_count(app) -> int:
    from app.extensions import db
    from models import Household

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Household))


def test_junk_bearer_beside_a_signed_in_cookie_changes_nothing(app, client, login, household):
    from app.extensions import db
    from models import Household

    login("admin")
    junk = bearer("junk")
    delete = client.delete(f"{HOUSEHOLDS_API}{household}", headers=junk)
    put = client.put(
        f"{HOUSEHOLDS_API}{household}",
        headers=junk,
        json={"address": "Diubah lewat CSRF", "version": 1},
    )
    before = household_count(app)
    post = client.post(
        HOUSEHOLDS_API,
        headers=junk,
        json={"village_code": BANDUNG_VILLAGE, "address": "Dibuat lewat CSRF", "members": []},
    )
    assert [delete.status_code, put.status_code, post.status_code] == [400, 400, 400]
    assert household_exists(app, household) and household_count(app) == before
    with app.app_context():
        assert db.session.get(Household, household).address != "Diubah lewat CSRF"


def test_a_real_jwt_beside_a_signed_in_cookie_still_needs_the_csrf_token(
    app, client, login, household, token
):
    """Flask-AppBuilder would act as the cookie's user, not the token's: the cookie is what a
    forged page would use, so the CSRF check applies."""
    headers = token("admin")
    login("admin")
    assert client.delete(f"{HOUSEHOLDS_API}{household}", headers=headers).status_code == 400
    assert household_exists(app, household)


def test_a_jwt_without_a_cookie_needs_no_csrf_token(app, browser, household):
    api_client = browser()
    access, _refresh = api_tokens(api_client, "admin")
    assert (
        api_client.delete(f"{HOUSEHOLDS_API}{household}", headers=bearer(access)).status_code == 200
    )
    assert not household_exists(app, household)
    assert browser().delete(f"{HOUSEHOLDS_API}{household}", headers=bearer("junk")).status_code in (
        401,
        422,
    )


def test_an_api_key_needs_no_csrf_token_with_or_without_a_cookie(app, browser, login, client):
    output = (
        app.test_cli_runner().invoke(args=["datakesos", "create-api-key", "interkoneksi"]).output
    )
    key = re.search(r"^dks_\S+$", output, flags=re.MULTILINE).group(0)
    body = {"niks": ["3273011705800011"]}
    assert browser().post("/api/v1/nik-status/", headers=bearer(key), json=body).status_code == 200
    login("operator.bandung")  # the key decides, whatever cookie comes along
    assert client.post("/api/v1/nik-status/", headers=bearer(key), json=body).status_code == 200


def test_the_token_login_and_refresh_need_no_csrf_token(app, client, login):
    login("pusdatin")
    access, refresh = api_tokens(client, "pusdatin")
    assert refresh_status(client, refresh) == 200


def test_a_console_form_without_token_is_still_refused(app, client, login, household):
    login("admin")
    response = client.post(f"/households/delete/{household}", headers=bearer("junk"))
    assert response.status_code == 400
    assert household_exists(app, household)
