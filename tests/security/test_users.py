"""Administrators give users a role and a region scope in the console; every signed-in user
opens their own profile and changes their own password (giving the current one); administrators
reset others' passwords; every door that sets a password follows the one rule; password changes,
role and permission edits and the close schedule are in the audit trail.

One module, not split: its parts share the throwaway users and the look-ups of roles, users
and audit entries defined here."""

import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, USERS, csrf_token, form_defaults, session_csrf

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def _role_id(app, name):
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def _user_form(client, app, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/users/add"),
        "first_name": "Rina",
        "last_name": "Wati",
        "username": "operator.cimahi",
        "active": "y",
        "email": "rina@example.invalid",
        "roles": str(_role_id(app, "Operator")),
        "region_code": "32.77",
        "password": "Kuat-Sekali-2026!",
        "conf_password": "Kuat-Sekali-2026!",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_regional_user_with_a_scope(app, client, login):
    login("admin")
    client.post("/users/add", data=_user_form(client, app), follow_redirects=True)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="operator.cimahi")
        assert user is not None and user.region_code == "32.77"


def test_regional_role_without_a_region_is_refused(app, client, login):
    login("admin")
    response = client.post(
        "/users/add", data=_user_form(client, app, username="operator.tanpa", region_code="")
    )
    assert "memerlukan wilayah" in response.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="operator.tanpa") is None


def test_unknown_region_is_refused(app, client, login):
    login("admin")
    response = client.post(
        "/users/add", data=_user_form(client, app, username="operator.salah", region_code="99.99")
    )
    assert "tidak dikenal" in response.get_data(as_text=True)


def test_user_list_shows_the_region(app, client, login):
    login("admin")
    html = client.get("/users/list/").get_data(as_text=True)
    assert "Wilayah" in html and "32.73" in html


# --- Every signed-in user's own account ----------------------------------------------------------
NEW_PASSWORD = "Jembatan-Kuning-Tua-47!"
OWN_FORM = "/resetmypassword/form"


@pytest.fixture()
def new_user(app):
    """A fresh Operator of Kota Bandung, named after a person, that only this test uses."""

    def _make():
        from app.security.users import create_user

        username = f"dede.{uuid.uuid4().hex[:8]}"
        with app.app_context():
            create_user(
                username,
                "Operator",
                PASSWORD,
                region_code="32.73",
                first_name="Dede",
                last_name="Sukmana",
            )
        return username

    return _make


def _user_id(app, username):
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def _entries(app, action, entity_id=None):
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        query = sa.select(AuditEntry).where(AuditEntry.action == action)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == str(entity_id))
        return db.session.scalars(query.order_by(AuditEntry.id)).all()


def _password_hash(app, username):
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).password


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_role_opens_its_own_profile_and_nothing_else_of_the_user_screens(
    app, client, login, username
):
    login(username)
    profile = client.get("/users/userinfo/")
    assert profile.status_code == 200
    html = profile.get_data(as_text=True)
    assert username in html
    assert "Ubah kata sandi" in html and 'href="/resetmypassword/form"' in html  # the menu
    assert "Atur ulang kata sandi saya" in html  # the profile's own button
    assert client.get(OWN_FORM).status_code == 200
    if username == "admin":
        return
    other = _user_id(app, "admin")
    for url in (
        "/users/list/",
        f"/users/show/{other}",
        f"/users/edit/{other}",
        "/users/add",
        f"/resetpassword/form?pk={other}",
        "/roles/list/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "admin@datakesos.invalid" not in response.get_data(as_text=True), url


def test_the_profile_shows_the_region_scope(client, login):
    login("operator.bogor")
    html = client.get("/users/userinfo/").get_data(as_text=True)
    assert "Wilayah" in html and "32.01" in html


def test_the_own_password_form_asks_for_the_current_one_and_states_our_rule(client, login):
    login("pengawas")
    html = client.get(OWN_FORM).get_data(as_text=True)
    assert 'name="current_password"' in html
    assert html.index('name="current_password"') < html.index('name="password"')
    assert "Minimal 10 karakter dan sulit ditebak" in html
    assert "tidak memeriksanya untuk Anda" not in html  # Flask-AppBuilder's untrue hint


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_sign_in(
    app, client, login, new_user
):
    from models import RegionUser

    username = new_user()
    login(username)
    before = _password_hash(app, username)
    page = client.post(
        OWN_FORM,
        data={
            "csrf_token": session_csrf(client),
            "current_password": "Bukan-Sandinya-1!",
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    ).get_data(as_text=True)
    assert "Kata sandi saat ini tidak benar." in page
    assert _password_hash(app, username) == before
    with app.app_context():
        from app.extensions import db

        user = db.session.scalar(sa.select(RegionUser).filter_by(username=username))
        assert user.fail_login_count == 1
    failure = _entries(app, "login_failure", _user_id(app, username))[-1]
    assert failure.after["reason"] == "wrong current password"


@pytest.mark.parametrize(
    "password, message",
    [
        ("Password1!", "Ini salah satu kata sandi yang paling umum."),
        ("Dede.Sukmana2026", "Jangan menyusun kata sandi dari nama pengguna, nama, atau alamat"),
        ("pendek", "Gunakan minimal 10 karakter."),
    ],
)
def test_a_weak_new_password_is_refused(app, client, login, new_user, password, message):
    username = new_user()
    login(username)
    before = _password_hash(app, username)
    page = client.post(
        OWN_FORM,
        data={
            "csrf_token": session_csrf(client),
            "current_password": PASSWORD,
            "password": password,
            "conf_password": password,
        },
    ).get_data(as_text=True)
    assert message in page
    assert _password_hash(app, username) == before


def test_the_own_change_is_audited_without_the_hash(app, client, login, new_user):
    username = new_user()
    login(username)
    response = client.post(
        OWN_FORM,
        data={
            "csrf_token": session_csrf(client),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    new_hash = _password_hash(app, username)
    (entry,) = _entries(app, "password_changed", _user_id(app, username))
    assert (entry.username, entry.user_id, entry.entity) == (
        username,
        _user_id(app, username),
        "user",
    )  # who did it, and whose
    assert entry.after == {"username": username} and entry.before is None
    assert entry.region_code == "32.73"
    assert new_hash not in repr((entry.before, entry.after))


def test_an_administrator_s_reset_is_audited_and_follows_the_rule(app, client, login, new_user):
    username = new_user()
    login("admin")
    url = f"/resetpassword/form?pk={_user_id(app, username)}"
    named = "Dede.Sukmana2026"
    weak = client.post(
        url, data={"csrf_token": session_csrf(client), "password": named, "conf_password": named}
    )
    assert "Jangan menyusun kata sandi" in weak.get_data(as_text=True)
    assert _entries(app, "password_changed", _user_id(app, username)) == []
    page = client.post(
        url,
        data={
            "csrf_token": session_csrf(client),
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert f"Kata sandi {username} berhasil diubah." in page.get_data(as_text=True)
    (entry,) = _entries(app, "password_changed", _user_id(app, username))
    assert entry.username == "admin" and entry.after == {"username": username}
    assert "Minimal 10 karakter" in client.get(url).get_data(as_text=True)


def test_the_admin_reset_form_is_not_a_way_round_the_current_password(app, client, login):
    login("admin")
    own = client.get(f"/resetpassword/form?pk={_user_id(app, 'admin')}")
    assert own.status_code == 302 and own.headers["Location"].endswith(OWN_FORM)
    for pk in ("999999", "abc", ""):
        assert client.get(f"/resetpassword/form?pk={pk}").status_code == 404
        assert (
            client.post(
                f"/resetpassword/form?pk={pk}",
                data={
                    "csrf_token": session_csrf(client),
                    "password": NEW_PASSWORD,
                    "conf_password": NEW_PASSWORD,
                },
            ).status_code
            == 404
        )


def test_the_command_line_doors_refuse_weak_passwords(app, new_user):
    from flask_appbuilder.cli import reset_password as fab_reset_password

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "datakesos",
            "create-user",
            "lemah.sandi",
            "--role",
            "Pengawas",
            "--password",
            "Password1!",
        ]
    )
    assert result.exit_code == 1 and "paling umum" in result.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="lemah.sandi") is None
    username = new_user()
    before = _password_hash(app, username)
    result = runner.invoke(fab_reset_password, ["--username", username, "--password", "Password1!"])
    assert result.exit_code != 0 and _password_hash(app, username) == before
    result = runner.invoke(fab_reset_password, ["--username", username, "--password", NEW_PASSWORD])
    assert result.exit_code == 0 and _password_hash(app, username) != before
    (entry,) = _entries(app, "password_changed", _user_id(app, username))
    assert entry.username == "system"


# --- Administrative changes in the audit trail ---------------------------------------------


def test_role_permission_edits_in_the_console_are_audited_readably(app, client, login):
    from app.extensions import db

    with app.app_context():
        security_manager = app.appbuilder.sm
        role = security_manager.add_role(f"Peran uji {uuid.uuid4().hex[:6]}")
        role_id, role_name = role.id, role.name
        listing = security_manager.find_permission_view_menu("can_list", "AuditView")
        showing = security_manager.find_permission_view_menu("can_show", "AuditView")
        security_manager.add_permission_role(role, listing)
        listing_id, showing_id = listing.id, showing.id
    try:
        login("admin")
        url = f"/roles/edit/{role_id}"
        response = client.post(
            url,
            data={
                "csrf_token": session_csrf(client),
                "name": role_name,
                "permissions": [str(showing_id)],
            },
        )
        assert response.status_code == 302
        entry = _entries(app, "update", role_id)[-1]
        assert entry.entity == "role" and entry.username == "admin"
        assert entry.before == {"permissions": ["can list on AuditView"]}
        assert entry.after == {"permissions": ["can show on AuditView"]}
    finally:
        with app.app_context():
            security_manager = app.appbuilder.sm
            security_manager.delete_role(db.session.get(security_manager.role_model, role_id))
    assert listing_id != showing_id


def test_a_user_s_role_change_is_audited_by_role_name(app, client, login, new_user):
    username = new_user()
    pk = _user_id(app, username)
    login("admin")
    response = client.post(
        f"/users/edit/{pk}",
        data={
            **form_defaults(client, f"/users/edit/{pk}"),
            "first_name": "Dede",
            "last_name": "Sukmana",
            "username": username,
            "active": "y",
            "email": f"{username}@datakesos.invalid",
            "roles": str(_role_id(app, "Verifikator")),
            "region_code": "32.73",
        },
    )
    assert response.status_code == 302
    entry = [e for e in _entries(app, "update", pk) if e.entity == "user"][-1]
    assert entry.before == {"roles": ["Operator"]} and entry.after == {"roles": ["Verifikator"]}
    assert entry.username == "admin"


def test_close_schedule_changes_are_audited_with_before_and_after(app, client, login):
    from app.extensions import db
    from models import AuditEntry, CloseSchedule

    with app.app_context():
        db.session.execute(sa.delete(CloseSchedule))
        db.session.commit()
    login("pusdatin")
    token = csrf_token(client, "/period-close/")
    for day in ("25", "20"):
        response = client.post(
            "/period-close/schedule",
            data={
                "csrf_token": token,
                "day_of_month": day,
                "hour": "23",
                "minute": "0",
                "timezone": "Asia/Jakarta",
                "enabled": "y",
            },
        )
        assert response.status_code == 302
    with app.app_context():
        entries = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.username, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == "close_schedule")
            .order_by(AuditEntry.id.desc())
            .limit(2)
        ).all()
        db.session.execute(sa.delete(CloseSchedule))
        db.session.commit()
    updated, created = entries
    assert created.action == "create" and created.after["day_of_month"] == 25
    assert created.username == "pusdatin" and created.after["hour"] == 23
    assert updated.action == "update" and updated.username == "pusdatin"
    assert updated.before == {"day_of_month": 25} and updated.after == {"day_of_month": 20}
