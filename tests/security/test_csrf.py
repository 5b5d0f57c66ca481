"""The CSRF check (views/security.py): a bearer header exempts a request only when the token is
what signs it in. Beside a signed-in cookie, a junk or even a real JWT still needs the CSRF
token; a JWT without a cookie, an API key and the token login need none; a console form always
does."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE
from tests.fixtures.sessions import (
    HOUSEHOLDS_API,
    api_tokens,
    bearer,
    refresh_status,
)

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


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
