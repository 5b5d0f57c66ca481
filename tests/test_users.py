"""Administrators give users a role and a region scope in the console."""
from tests.conftest import csrf_token


def _role_id(app, name):
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def _user_form(client, app, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/users/add"),
        "first_name": "Rina", "last_name": "Wati", "username": "operator.cimahi",
        "active": "y", "email": "rina@example.invalid", "roles": str(_role_id(app, "Operator")),
        "region_code": "32.77", "password": "Kuat-Sekali-2026!", "conf_password": "Kuat-Sekali-2026!",
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
    response = client.post("/users/add", data=_user_form(
        client, app, username="operator.tanpa", region_code=""))
    assert "memerlukan wilayah" in response.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="operator.tanpa") is None


def test_unknown_region_is_refused(app, client, login):
    login("admin")
    response = client.post("/users/add", data=_user_form(
        client, app, username="operator.salah", region_code="99.99"))
    assert "tidak dikenal" in response.get_data(as_text=True)


def test_user_list_shows_the_region(app, client, login):
    login("admin")
    html = client.get("/users/list/").get_data(as_text=True)
    assert "Wilayah" in html and "32.73" in html
