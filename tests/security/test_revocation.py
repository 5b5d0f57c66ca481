"""Sign-ins that end (app/security/sessions.py): a password change (own or by an administrator),
a lockout and a deactivation end every session, JWT and refresh token of the account, and a
reactivation revives none; a refused token is answered in Indonesian; token lifetimes come from
the configuration.

Revocations hit throwaway users made here; each browser has an address of its own and the
rate-limit counters are reset, so nothing leaks into the other tests of the session."""

import datetime
import importlib
import re
import uuid

import jwt
import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token, form_defaults, session_csrf
from tests.fixtures.sessions import (
    API_LOGIN,
    HOUSEHOLDS_API,
    api_tokens,
    bearer,
    page_status,
    refresh_status,
    session_rows,
    sign_in,
    user_id,
)

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


NEW_PASSWORD = "Jembatan-Kuning-Tua-47!"


def api_status(client, access: str) -> int:
    return client.get(HOUSEHOLDS_API, headers=bearer(access)).status_code


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
