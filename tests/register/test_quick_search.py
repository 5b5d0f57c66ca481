"""The navigation bar's quick search (/search/?q=…) as a clerk uses it: a NIK, KK number or
register ID opens the household's page in one step, the member found highlighted; a name lists
the members found with their NIK as the viewer may see it; anything outside the user's region
answers exactly as what exists nowhere; every exact look-up is audited and bounded."""

import datetime
import re

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, signed_in
from tests.fixtures.factories import build_household, member_data

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")

#: A NIK and a KK number of the same shape that exist nowhere.
ABSENT_NIK = "3273014101909999"
ABSENT_REGISTER_ID = "32739999999999"


def _household(app, village=BANDUNG_VILLAGE, spouse_name="Siti Aminah"):
    """A household (head and spouse) and its numbers."""
    head = member_data(village, name="Budi Santoso")
    spouse = member_data(
        village,
        Relationship.SPOUSE,
        Sex.FEMALE,
        datetime.date(1983, 2, 3),
        spouse_name,
        kk=head["kk_number"],
    )
    with app.app_context():
        from app.extensions import db
        from models import Member

        household = build_household(village, members=[head, spouse])
        members = db.session.scalars(
            sa.select(Member).where(Member.household_id == household.id).order_by(Member.id)
        ).all()
        return {
            "id": household.id,
            "register_id": household.register_id,
            "kk": head["kk_number"],
            "head_nik": members[0].nik,
            "spouse_id": members[1].id,
            "spouse_nik": members[1].nik,
        }


@pytest.fixture()
def bandung(app):
    return _household(app)


@pytest.fixture()
def bogor(app):
    return _household(app, BOGOR_VILLAGE, "Siti Bogoriah")


_VOLATILE = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*>|value="[^"]*"[^>]*name="csrf_token"')


def _page(response, value: str) -> str:
    """A page's text with the value asked for and what changes with every answer left out."""
    return _VOLATILE.sub("", response.get_data(as_text=True).replace(value, "?"))


def _search(client, query, **params):
    return client.get("/search/", query_string={"q": query, **params})


def test_the_navbar_offers_the_search_to_register_readers_only(app):
    for username in ("operator.bandung", "prov.jabar", "pengawas", "verifikator.bandung"):
        html = signed_in(app, username).get("/").get_data(as_text=True)
        assert 'id="quick-search-q"' in html and 'action="/search/"' in html, username
    interkoneksi = signed_in(app, "interkoneksi")
    assert 'id="quick-search-q"' not in interkoneksi.get("/").get_data(as_text=True)
    assert _search(interkoneksi, ABSENT_NIK).status_code in (302, 403)


def test_a_nik_opens_the_household_with_the_member_highlighted(app, bandung):
    client = signed_in(app, "operator.bandung")
    response = _search(client, bandung["spouse_nik"])
    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"/households/show/{bandung['id']}" in location
    assert f"member={bandung['spouse_id']}" in location
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    found = re.search(r'id="found-member".*?</div>', html, re.S).group(0)
    assert "Siti Aminah" in found and bandung["spouse_nik"] in found
    assert f"/members/edit/{bandung['spouse_id']}" in found


def test_a_nik_typed_with_spaces_and_dots_is_found(app, bandung):
    nik = bandung["head_nik"]
    spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}"
    response = _search(signed_in(app, "operator.bandung"), spaced)
    assert response.status_code == 302
    assert f"/households/show/{bandung['id']}" in response.headers["Location"]


def test_a_kk_number_and_a_register_id_open_the_household(app, bandung):
    client = signed_in(app, "operator.bandung")
    for query in (bandung["kk"], bandung["register_id"]):
        response = _search(client, query)
        assert response.status_code == 302, query
        assert response.headers["Location"].endswith(f"/households/show/{bandung['id']}")


def test_another_regency_answers_as_a_number_that_exists_nowhere(app, bandung):
    client = signed_in(app, "operator.bogor")
    for foreign, absent in (
        (bandung["spouse_nik"], ABSENT_NIK),
        (bandung["kk"], ABSENT_NIK),
        (bandung["register_id"], ABSENT_REGISTER_ID),
    ):
        response = _search(client, foreign)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'id="quick-search-none"' in html
        assert f'value="{foreign}"' in html  # the query stays in the box
        for leaked in (bandung["register_id"], "Siti Aminah", "Budi Santoso", bandung["kk"]):
            assert leaked not in html.replace(foreign, "")
        other = _search(client, absent)
        assert other.status_code == response.status_code
        assert _page(other, absent) == _page(response, foreign)


def test_a_name_lists_the_members_found_with_masked_nik_for_a_masked_role(app, bogor):
    first = _household(app, spouse_name="Siti Aminah")
    second = _household(app, spouse_name="Siti Aminah Rahayu")
    client = signed_in(app, "prov.jabar")  # Provinsi sees NIKs masked (app.security.privacy)
    response = _search(client, "aminah")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    table = re.search(r'id="quick-search-results".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>.*?</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) == 2
    for household in (first, second):
        nik = household["spouse_nik"]
        assert nik not in html
        assert f"{nik[:6]}********{nik[-2:]}" in table
        assert household["register_id"] in table
        assert f"/households/show/{household['id']}?member={household['spouse_id']}" in table
    assert "Bogoriah" not in signed_in(app, "operator.bandung").get("/search/?q=siti").get_data(
        as_text=True
    )


def test_name_results_are_paged_at_the_configured_maximum(app):
    for _ in range(3):
        _household(app, spouse_name="Euis Kartini")
    configured = app.config["QUICK_SEARCH_MAX_RESULTS"]
    app.config["QUICK_SEARCH_MAX_RESULTS"] = 2
    try:
        client = signed_in(app, "operator.bandung")
        first = _search(client, "kartini").get_data(as_text=True)
        second = _search(client, "kartini", page=1).get_data(as_text=True)
    finally:
        app.config["QUICK_SEARCH_MAX_RESULTS"] = configured
    assert first.count("Euis Kartini</a>") == 2 and "page=1" in first
    assert second.count("Euis Kartini</a>") == 1 and "page=0" in second


def test_what_the_box_cannot_search_is_explained_and_never_a_server_error(app):
    client = signed_in(app, "operator.bandung")
    for query in ("", "ab", "12345", "1" * 15, "x" * 500, "%_%", "'; DROP TABLE member;--"):
        response = _search(client, query)
        assert response.status_code == 200, query
    assert 'id="quick-search-hint"' in _search(client, "12").get_data(as_text=True)
    assert _search(client, "x", page="zz").status_code == 200


def test_exact_look_ups_are_audited_without_the_number(app, bandung, audit_trail):
    client = signed_in(app, "operator.bandung")
    _search(client, bandung["head_nik"])
    _search(client, ABSENT_NIK)  # a NIK, then a KK number: two questions
    _search(client, bandung["register_id"])
    _search(client, "Aminah")  # a name is no exact look-up
    entries = audit_trail("identity_search")
    assert [(user, details["number"], details["hits"]) for user, _entity, details in entries] == [
        ("operator.bandung", "nik", 1),
        ("operator.bandung", "nik", 0),
        ("operator.bandung", "kk_number", 0),
        ("operator.bandung", "register_id", 1),
    ]
    assert all(details["door"] == "quick_search" for _user, _entity, details in entries)
    assert bandung["head_nik"] not in repr(entries) and ABSENT_NIK not in repr(entries)


def test_a_masked_viewer_s_look_ups_count_against_their_quota(app, bandung, audit_trail):
    app.config["LOOKUP_SEARCH_DAILY_QUOTA"], quota = 2, app.config["LOOKUP_SEARCH_DAILY_QUOTA"]
    try:
        client = signed_in(app, "prov.jabar")
        assert _search(client, bandung["spouse_nik"]).status_code == 302
        assert _search(client, bandung["head_nik"]).status_code == 302
        refused = _search(client, bandung["head_nik"])
    finally:
        app.config["LOOKUP_SEARCH_DAILY_QUOTA"] = quota
    assert refused.status_code == 403
    assert len(audit_trail("lookup_refused")) == 1


def test_the_search_is_rate_limited_per_user(app, bandung):
    configured = app.config["QUICK_SEARCH_RATE_LIMIT"]
    app.config["QUICK_SEARCH_RATE_LIMIT"] = "2 per minute"
    try:
        client = signed_in(app, "operator.bandung")
        assert _search(client, bandung["head_nik"]).status_code == 302
        assert _search(client, "Aminah").status_code in (200, 302)
        assert _search(client, bandung["kk"]).status_code == 429
        # Another user of the same office (address) has a budget of their own.
        other = signed_in(app, "verifikator.bandung")
        assert _search(other, bandung["kk"]).status_code == 302
    finally:
        app.config["QUICK_SEARCH_RATE_LIMIT"] = configured


def test_a_household_list_searched_by_a_member_shows_that_member_and_keeps_the_filter_open(
    app, bandung
):
    client = signed_in(app, "prov.jabar")
    nik = bandung["spouse_nik"]
    for query in ({"_flt_0_member_name": "aminah"}, {"_flt_0_nik": nik}):
        html = client.get("/households/list/", query_string=query).get_data(as_text=True)
        found = re.search(r'<span class="found-member">.*?</span></span>', html, re.S).group(0)
        assert "Siti Aminah" in found and f"{nik[:6]}********{nik[-2:]}" in found
        if "_flt_0_member_name" in query:  # (a NIK searched for is echoed in the filter)
            assert nik not in html
        assert 'id="accordion1_href" class="panel-collapse collapse in"' in html
    unfiltered = client.get("/households/list/").get_data(as_text=True)
    assert 'class="found-member"' not in unfiltered
    assert 'id="accordion1_href" class="panel-collapse collapse"' in unfiltered
