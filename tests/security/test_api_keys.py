"""API keys for machine clients: made by `flask datakesos create-api-key`, shown once, acting as
their user — roles, region scope, lockout and the failed-attempt budget included."""

import datetime
import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE

JAKARTA_VILLAGE = "31.71.01.1001"


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def create_key(app, username="interkoneksi", *options) -> str:
    result = app.test_cli_runner().invoke(args=["datakesos", "create-api-key", username, *options])
    assert result.exit_code == 0, result.output
    keys = re.findall(r"^dks_\S+$", result.output, flags=re.MULTILINE)
    assert len(keys) == 1, result.output
    return keys[0]


def signed(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_the_cli_prints_a_key_once_and_stores_only_its_hash(app):
    from flask_appbuilder.security.sqla.models import ApiKey

    from app.extensions import db

    key = create_key(app, "interkoneksi", "--name", "Monitoring PKH")
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiKey).where(ApiKey.name == "Monitoring PKH"))
        assert stored is not None and key not in (stored.key_hash, stored.lookup_hash)
    listing = app.test_cli_runner().invoke(args=["datakesos", "api-keys", "interkoneksi"])
    assert "Monitoring PKH" in listing.output and key not in listing.output


def test_unknown_user_is_refused_in_indonesian(app):
    result = app.test_cli_runner().invoke(args=["datakesos", "create-api-key", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_a_key_reads_only_its_users_region(app, client, make_household):
    make_household(BANDUNG_VILLAGE)
    make_household(BOGOR_VILLAGE)
    jakarta = make_household(JAKARTA_VILLAGE)
    headers = signed(create_key(app))
    listed = client.get("/api/v1/household/", headers=headers)
    assert listed.status_code == 200
    assert {row["village_code"][:2] for row in listed.get_json()["result"]} == {"32"}
    assert listed.get_json()["count"] == 2
    assert client.get(f"/api/v1/household/{jakarta}", headers=headers).status_code == 404
    members = client.get("/api/v1/member/", headers=headers).get_json()["result"]
    assert all("*" in row["nik"] for row in members)  # Interkoneksi sees NIKs masked


def test_a_key_cannot_write_what_its_user_may_not(app, client, make_household):
    household = make_household(BANDUNG_VILLAGE)
    response = client.put(
        f"/api/v1/household/{household}",
        headers=signed(create_key(app)),
        json={"address": "Lewat kunci", "version": 1},
    )
    assert response.status_code == 403


def test_a_revoked_or_expired_key_is_refused(app, client):
    from flask_appbuilder.security.sqla.models import ApiKey

    from app.extensions import db

    key = create_key(app, "interkoneksi", "--name", "revoke me")
    assert client.get("/api/v1/region/", headers=signed(key)).status_code == 200
    with app.app_context():
        uuid = db.session.scalar(sa.select(ApiKey.uuid).where(ApiKey.name == "revoke me"))
    result = app.test_cli_runner().invoke(args=["datakesos", "revoke-api-key", uuid])
    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/region/", headers=signed(key))
    assert response.status_code == 401
    assert response.get_json()["message"] == "Kunci API ini tidak berlaku."
    expired = create_key(app, "interkoneksi", "--name", "expired", "--days", "1")
    with app.app_context():
        db.session.execute(
            sa.update(ApiKey)
            .where(ApiKey.name == "expired")
            .values(expires_on=datetime.datetime.now() - datetime.timedelta(minutes=1))
        )
        db.session.commit()
    assert client.get("/api/v1/region/", headers=signed(expired)).status_code == 401


def test_a_locked_account_s_key_is_refused_like_its_password(app, client):
    from app.extensions import db
    from models import RegionUser

    key = create_key(app)
    with app.app_context():
        db.session.execute(
            sa.update(RegionUser)
            .where(RegionUser.username == "interkoneksi")
            .values(locked_until=datetime.datetime.now() + datetime.timedelta(hours=1))
        )
        db.session.commit()
    try:
        response = client.get("/api/v1/region/", headers=signed(key))
        assert response.status_code == 403
        assert "terkunci" in response.get_json()["message"]
    finally:
        with app.app_context():
            db.session.execute(
                sa.update(RegionUser)
                .where(RegionUser.username == "interkoneksi")
                .values(locked_until=None)
            )
            db.session.commit()


def test_a_regional_user_without_region_is_refused(app, client):
    from app.extensions import db
    from models import RegionUser

    key = create_key(app)
    with app.app_context():
        db.session.execute(
            sa.update(RegionUser)
            .where(RegionUser.username == "interkoneksi")
            .values(region_code=None)
        )
        db.session.commit()
    try:
        response = client.get("/api/v1/household/", headers=signed(key))
        assert response.status_code == 403
    finally:
        with app.app_context():
            db.session.execute(
                sa.update(RegionUser)
                .where(RegionUser.username == "interkoneksi")
                .values(region_code="32")
            )
            db.session.commit()


def test_guessing_keys_is_audited_and_limited_per_address(app, client):
    from app.extensions import db
    from models import AuditEntry

    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    answers = [
        client.get("/api/v1/region/", headers=signed(f"dks_guess{attempt}"))
        for attempt in range(limit + 1)
    ]
    assert [answer.status_code for answer in answers] == [401] * limit + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert "Retry-After" not in answers[0].headers
    with app.app_context():
        failures = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "login_failure", AuditEntry.username == "(api key)")
        )
        assert failures >= limit


def test_jwt_users_are_untouched_by_key_checks(client, token):
    assert client.get("/api/v1/region/", headers=token("operator.bandung")).status_code == 200


def test_an_administrator_issues_lists_and_revokes_keys_in_the_console(app, client, login):
    from tests.conftest import csrf_token

    login("admin")
    token = csrf_token(client, "/apikeys/issue/")
    page = client.post(
        "/apikeys/issue/",
        data={"csrf_token": token, "username": "interkoneksi", "name": "Dasbor KSP", "days": "30"},
    )
    assert page.status_code == 200
    key = re.search(r'id="api-key"[^>]*>(dks_[^<]+)<', page.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/region/", headers=signed(key)).status_code == 200
    listing = client.get("/apikeys/list/").get_data(as_text=True)
    assert "Dasbor KSP" in listing and key not in listing
    from flask_appbuilder.security.sqla.models import ApiKey

    from app.extensions import db

    with app.app_context():
        key_id = db.session.scalar(sa.select(ApiKey.id).where(ApiKey.name == "Dasbor KSP"))
    revoked = client.post(
        "/apikeys/action_post",
        data={
            "csrf_token": csrf_token(client, "/apikeys/list/"),
            "action": "revoke",
            "rowid": [str(key_id)],
        },
    )
    assert revoked.status_code == 302
    assert client.get("/api/v1/region/", headers=signed(key)).status_code == 401


def test_a_bad_number_of_days_is_refused_in_indonesian(client, login):
    from tests.conftest import csrf_token

    login("admin")
    page = client.post(
        "/apikeys/issue/",
        data={
            "csrf_token": csrf_token(client, "/apikeys/issue/"),
            "username": "interkoneksi",
            "days": "-3",
        },
    ).get_data(as_text=True)
    assert "sekurang-kurangnya satu hari" in page and "dks_" not in page


@pytest.mark.parametrize("days", ["4000000", "3651"])
def test_a_key_for_too_many_days_is_refused_on_the_command_line(app, days):
    result = app.test_cli_runner().invoke(
        args=["datakesos", "create-api-key", "interkoneksi", "--days", days]
    )
    assert result.exit_code != 0
    assert "paling lama 3650 hari" in result.output and "dks_" not in result.output
    assert "Traceback" not in result.output


def test_a_key_for_too_many_days_is_refused_in_the_console(client, login):
    from tests.conftest import csrf_token

    login("admin")
    response = client.post(
        "/apikeys/issue/",
        data={
            "csrf_token": csrf_token(client, "/apikeys/issue/"),
            "username": "interkoneksi",
            "days": "4000000",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "paling lama 3650 hari" in page and "dks_" not in page


def test_only_administrators_manage_keys(client, login):
    login("pusdatin")
    assert client.get("/apikeys/list/").status_code in (302, 403)
    assert client.get("/apikeys/issue/").status_code in (302, 403)
