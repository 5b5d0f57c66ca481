"""No lost updates: two people editing the same record (optimistic locking)."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, bearer, csrf_token, form_defaults


def _login(app, username):
    client = app.test_client()
    token = csrf_token(client, "/login/")
    client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client


def _address(app, household_id):
    from app.extensions import db
    from models import Household

    with app.app_context():
        return db.session.execute(
            sa.select(Household.address, Household.version).where(Household.id == household_id)
        ).one()


def test_second_of_two_concurrent_form_edits_gets_a_conflict(app, make_household):
    household_id = make_household()
    first, second = _login(app, "operator.bandung"), _login(app, "admin")
    url = f"/households/edit/{household_id}"
    first_form, second_form = form_defaults(first, url), form_defaults(second, url)
    common = {"village_code": "32.73.01.1001", "welfare_decile": "2"}
    first.post(url, data={**first_form, **common, "address": "Alamat pertama"})
    response = second.post(url, data={**second_form, **common, "address": "Alamat kedua"})
    html = response.get_data(as_text=True)
    assert "Alamat kedua" in html  # the second clerk's text is still in the form
    assert "Tidak ada yang ditimpa" in html
    address, version = _address(app, household_id)
    assert address == "Alamat pertama" and version == 2


def test_api_put_with_a_stale_version_is_409(app, client, make_household):
    household_id = make_household()
    headers = bearer(client, "operator.bandung")
    ok = client.put(
        f"/api/v1/household/{household_id}",
        headers=headers,
        json={"address": "Lewat API", "version": 1},
    )
    assert ok.status_code == 200, ok.get_data(as_text=True)
    stale = client.put(
        f"/api/v1/household/{household_id}", headers=headers, json={"address": "Basi", "version": 1}
    )
    assert stale.status_code == 409
    assert _address(app, household_id) == ("Lewat API", 2)


def test_api_put_without_a_version_is_refused(app, client, make_household):
    household_id = make_household()
    headers = bearer(client, "operator.bandung")
    response = client.put(
        f"/api/v1/household/{household_id}", headers=headers, json={"address": "Tanpa versi"}
    )
    assert response.status_code == 400
    assert "versi" in response.get_json()["message"]
    assert _address(app, household_id) == ("Jl. Merdeka 1", 1)
