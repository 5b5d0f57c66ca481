"""Hostile input at every door (issue 13, findings 8 and 9): control characters, Rison that
does not parse or nests without end, filter values of the wrong shape, a second head that is
dead, Unicode digits where digits are meant, and text that draws itself backwards. Each gets a
400 with a message in Indonesian (or is cleaned), never a server error, and nothing is written
that should not be."""

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, bearer, session_csrf
from tests.fixtures.bodies import HEAD, SPOUSE, member_shown, new_household

NUL_MESSAGE = "karakter kendali"


def _count(app, table: str) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.mark.parametrize(
    "url",
    [
        "/households/list/?_flt_0_register_id=%00",
        "/households/list/?_flt_0_nik=3273%00",
        "/households/list/?_flt_0_member_name=a%00b",
        "/members/list/?_flt_0_full_name=%01",
        "/regions/picker/search?q=%00",
        "/households/list/?x%00=1",
    ],
)
def test_a_control_character_in_the_address_is_a_400_in_indonesian(
    client, login, server_errors_answered, url
):
    login("admin")
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_control_character_in_the_api_is_a_400_json_message(
    client, server_errors_answered, make_household
):
    make_household(BANDUNG_VILLAGE)
    headers = bearer(client, "admin")
    listed = client.get(
        "/api/v1/household/?q=(filters:!((col:register_id,opr:sw,value:'%00')))", headers=headers
    )
    assert listed.status_code == 400 and NUL_MESSAGE in listed.get_json()["message"]
    spouse = member_shown(client, headers, "SPOUSE")
    for name in ("Siti\u0000Aminah", "Siti\x07"):
        changed = client.put(
            f"/api/v1/member/{spouse['id']}",
            headers=headers,
            json={"full_name": name, "version": spouse["version"]},
        )
        assert changed.status_code == 400
        assert NUL_MESSAGE in changed.get_json()["message"]
    assert member_shown(client, headers, "SPOUSE")["full_name"] == "Siti Aminah"


def test_a_control_character_in_a_form_writes_nothing(app, client, login, server_errors_answered):
    login("admin")
    response = client.post(
        "/programs/add",
        data={
            "csrf_token": session_csrf(client),
            "code": "X\x00",
            "name": "Program",
            "target_level": "HOUSEHOLD",
        },
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    from app.extensions import db
    from models import Program

    with app.app_context():
        assert db.session.scalar(sa.select(Program).where(Program.code.startswith("X"))) is None


@pytest.mark.parametrize(
    "q",
    [
        "(((",
        "(" * 3000,
        "(filters:!((col:register_id,opr:sw,value:!(1))))",
        "(filters:!((col:register_id,opr:eq,value:!('a','b'))))",
        "(a:(b:(c:(d:(e:(f:(g:(h:(i:(j:(k:1)))))))))))",
    ],
)
def test_rison_that_cannot_be_read_is_a_400_json_message(client, server_errors_answered, q):
    response = client.get(f"/api/v1/household/?q={q}", headers=bearer(client, "admin"))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    message = response.get_json()["message"]
    assert "q" in message or "filter" in message.lower()


def test_a_list_filter_still_takes_a_list_for_in(client, make_household):
    make_household(BANDUNG_VILLAGE)
    response = client.get(
        f"/api/v1/member/?q=(filters:!((col:nik,opr:in,"
        f"value:!('{HEAD['nik']}','3273014302830099'))))",
        headers=bearer(client, "admin"),
    )
    assert response.status_code == 200, response.get_json()


def test_a_dead_second_head_is_refused_not_a_server_error(
    app, client, server_errors_answered, make_household
):
    make_household(BANDUNG_VILLAGE)
    headers = bearer(client, "operator.bandung")
    spouse = member_shown(client, headers, "SPOUSE")
    response = client.put(
        f"/api/v1/member/{spouse['id']}",
        headers=headers,
        json={"status": "DECEASED", "relation_to_head": "HEAD", "version": spouse["version"]},
    )
    assert response.status_code == 400
    assert "kepala" in response.get_json()["message"].lower()
    assert member_shown(client, headers, "SPOUSE")["status"] == "ACTIVE"


def test_no_view_offers_a_download_door_and_no_role_the_permission(
    app, client, login, server_errors_answered
):
    assert not [
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.endswith(".download")
    ]
    from app.extensions import db

    with app.app_context():
        granted = db.session.execute(
            sa.text(
                "SELECT count(*) FROM ab_permission_view_role pvr "
                "JOIN ab_permission_view pv ON pv.id = pvr.permission_view_id "
                "JOIN ab_permission p ON p.id = pv.permission_id "
                "WHERE p.name = 'can_download'"
            )
        ).scalar()
    assert granted == 0
    login("admin")
    assert client.get("/households/download/x").status_code == 404


@pytest.mark.parametrize(
    "url", ["/households/action/x/1", "/programs/action/x/1", "/apikeys/action/x/1"]
)
def test_an_unknown_action_is_not_found(client, login, server_errors_answered, url):
    login("admin")
    assert client.post(url, data={"csrf_token": session_csrf(client)}).status_code == 404
    response = client.post(
        url.rsplit("/action/", 1)[0] + "/action_post",
        data={"csrf_token": session_csrf(client), "action": "x"},
    )
    assert response.status_code == 404


def test_a_list_cannot_be_sorted_by_what_is_not_a_column(
    client, login, server_errors_answered, make_household
):
    make_household(BANDUNG_VILLAGE)
    login("admin")
    response = client.get("/memberships/list/?_oc_MembershipView=target&_od_MembershipView=asc")
    assert response.status_code == 400


@pytest.mark.parametrize("digits", ["١٢", "²³", "１２"])
def test_rt_and_rw_take_ascii_digits_only(client, make_household, digits):
    household = make_household(BANDUNG_VILLAGE)
    headers = bearer(client, "operator.bandung")
    version = client.get(f"/api/v1/household/{household}", headers=headers).get_json()["result"][
        "version"
    ]
    response = client.put(
        f"/api/v1/household/{household}", headers=headers, json={"rt": digits, "version": version}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"]["rt"] == ["RT dan RW berupa angka paling banyak 3 digit."]


BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Budi\u202eotnasS" is shown as "BudiSsanto"


def test_bidirectional_overrides_are_dropped_from_names_and_text(app, client, make_household):
    household = make_household(BANDUNG_VILLAGE)
    headers = bearer(client, "admin")
    spouse = member_shown(client, headers, "SPOUSE")
    response = client.put(
        f"/api/v1/member/{spouse['id']}",
        headers=headers,
        json={"full_name": f"Siti{BIDI} Ami\u2066nah\u200b", "version": spouse["version"]},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["full_name"] == "Siti Aminah"
    version = client.get(f"/api/v1/household/{household}", headers=headers).get_json()["result"][
        "version"
    ]
    changed = client.put(
        f"/api/v1/household/{household}",
        headers=headers,
        json={"address": f"Jl. {BIDI}adirem 4", "version": version},
    )
    assert changed.get_json()["result"]["address"] == "Jl. adirem 4"
    found = client.get(
        f"/api/v1/member/?q=(filters:!((col:full_name,opr:ct,value:'Siti{BIDI}')))", headers=headers
    ).get_json()
    assert found["count"] == 1  # a search is cleaned the same way


def test_a_new_household_through_the_api_is_cleaned_too(client):
    head = {**HEAD, "full_name": f"Budi{BIDI} Santoso"}
    response = client.post(
        "/api/v1/household/",
        headers=bearer(client, "admin"),
        json=new_household(members=[head, SPOUSE]),
    )
    assert response.status_code == 201
    members = client.get("/api/v1/member/", headers=bearer(client, "admin")).get_json()["result"]
    assert {row["full_name"] for row in members} == {"Budi Santoso", "Siti Aminah"}


def test_the_register_api_offers_no_related_choices_of_other_regions(client, make_household):
    make_household(BANDUNG_VILLAGE)
    headers = bearer(client, "operator.bogor")
    for resource in ("family", "membership", "member", "household"):
        info = client.get(f"/api/v1/{resource}/_info", headers=headers).get_json()
        for key in ("add_columns", "edit_columns"):
            assert all("values" not in column for column in info.get(key, [])), (resource, key)
    for resource in ("family", "membership"):
        info = client.get(f"/api/v1/{resource}/_info", headers=headers).get_json()
        assert info["add_columns"] == [] and info["edit_columns"] == []
