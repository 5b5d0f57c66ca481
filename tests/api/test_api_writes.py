"""API writes and bad input: declared schemas, the forms' rules and scope, answers in Indonesian,
never a server error."""

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.fixtures.bodies import HEAD, SPOUSE, member_shown, new_household


def test_admin_enters_a_household_with_its_members(client, token):
    response = client.post("/api/v1/household/", headers=token("admin"), json=new_household())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"]["floor_type"] == "CERAMIC"
    assert body["result"]["village_code"] == BANDUNG_VILLAGE
    members = client.get(
        f"/api/v1/member/?q=(filters:!((col:nik,opr:eq,value:'{HEAD['nik']}')))",
        headers=token("admin"),
    ).get_json()
    assert members["count"] == 1


def test_operators_propose_new_households_instead(client, token):
    response = client.post(
        "/api/v1/household/", headers=token("operator.bandung"), json=new_household()
    )
    assert response.status_code == 403
    assert "usulan" in response.get_json()["message"]


def test_a_new_household_breaking_a_rule_is_refused_whole(client, token, app):
    from app.extensions import db
    from models import Household

    body = new_household(members=[HEAD, {**SPOUSE, "nik": HEAD["nik"]}])
    response = client.post("/api/v1/household/", headers=token("admin"), json=body)
    assert response.status_code == 400
    assert "NIK" in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Household)) == 0


def child_of(household_id: int, district: str) -> dict:
    """A new member born 1 May 2015 in `district` (6 digits), with a new family card."""
    return {
        "household_id": household_id,
        "nik": f"{district}0105150013",
        "full_name": "Adi",
        "kk_number": f"{district}1501200099",
        "relation_to_head": "CHILD",
        "sex": "MALE",
        "birth_date": "2015-05-01",
    }


def test_admin_adds_a_member_to_a_household(client, token, make_household):
    household = make_household(BANDUNG_VILLAGE)
    child = child_of(household, "327301")
    response = client.post("/api/v1/member/", headers=token("admin"), json=child)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["result"]["household_id"] == household
    again = client.post("/api/v1/member/", headers=token("admin"), json=child)
    assert again.status_code == 400
    assert "NIK" in again.get_json()["message"]


def test_regional_users_cannot_add_members_directly_anywhere(client, token, make_household):
    for village, district in ((BANDUNG_VILLAGE, "327301"), (BOGOR_VILLAGE, "320101")):
        child = child_of(make_household(village), district)
        response = client.post("/api/v1/member/", headers=token("operator.bandung"), json=child)
        assert response.status_code == 403
        assert "usulan" in response.get_json()["message"]


def test_a_member_for_a_household_that_does_not_exist_is_404(client, token):
    response = client.post(
        "/api/v1/member/", headers=token("admin"), json=child_of(2_000_000_000, "327301")
    )
    assert response.status_code == 404


def test_operator_corrects_a_member_through_the_rules(client, token, make_household):
    household = make_household(BANDUNG_VILLAGE)
    headers = token("operator.bandung")
    spouse = shown = member_shown(client, headers, "SPOUSE")
    ok = client.put(
        f"/api/v1/member/{spouse['id']}",
        headers=headers,
        json={"education": "SENIOR", "version": shown["version"]},
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["result"]["education"] == "SENIOR"
    second_head = client.put(
        f"/api/v1/member/{spouse['id']}",
        headers=headers,
        json={"relation_to_head": "HEAD", "version": shown["version"] + 1},
    )
    assert second_head.status_code == 400
    assert "kepala" in second_head.get_json()["message"].lower()
    assert household


def test_the_head_is_kept_through_the_api_as_in_the_form(client, token, make_household):
    make_household(BANDUNG_VILLAGE)
    headers = token("operator.bandung")
    head = shown = member_shown(client, headers, "HEAD")
    demoted = client.put(
        f"/api/v1/member/{head['id']}",
        headers=headers,
        json={"relation_to_head": "CHILD", "version": shown["version"]},
    )
    assert demoted.status_code == 400
    assert demoted.get_json()["field"] == "relation_to_head"
    assert "relation_to_head" in demoted.get_json()["errors"]
    renamed = client.put(
        f"/api/v1/member/{head['id']}",
        headers=headers,
        json={"full_name": "Budi S.", "version": shown["version"]},
    )
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["result"]["relation_to_head"] == "HEAD"
    assert renamed.get_json()["result"]["family_id"] == shown["family_id"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"welfare_decile": 3}, "welfare_decile"),
        ({"floor_area_m2": "luas"}, "floor_area_m2"),
        ({"floor_type": "GOLD"}, "floor_type"),
        ({"has_car": "maybe"}, "has_car"),
        ({"colour": "red"}, "colour"),
        ({"village_code": "32.73"}, "village_code"),
        ({"latitude": "north"}, "latitude"),
    ],
)
def test_wrong_types_and_unknown_values_are_named_per_field(
    client, token, make_household, body, field
):
    household = make_household(BANDUNG_VILLAGE)
    response = client.put(
        f"/api/v1/household/{household}",
        headers=token("operator.bandung"),
        json={**body, "version": 1},
    )
    assert response.status_code == 400, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors
    assert response.get_json()["message"] == "Permintaan berisi isian yang tidak sah."


def test_unknown_enumeration_lists_the_choices_in_indonesian(client, token, make_household):
    household = make_household(BANDUNG_VILLAGE)
    response = client.put(
        f"/api/v1/household/{household}",
        headers=token("operator.bandung"),
        json={"toilet": "GOLDEN", "version": 1},
    )
    assert response.get_json()["errors"]["toilet"] == [
        "Harus salah satu dari: PRIVATE, SHARED, PUBLIC, NONE."
    ]


def test_moving_a_household_to_a_foreign_region_is_refused(client, token, make_household):
    household = make_household(BANDUNG_VILLAGE)
    response = client.put(
        f"/api/v1/household/{household}",
        headers=token("operator.bandung"),
        json={"village_code": BOGOR_VILLAGE, "version": 1},
    )
    assert response.status_code in (400, 403)
    assert "di luar wilayah Anda" in response.get_json()["message"]


@pytest.mark.parametrize(
    "data, content_type, message",
    [
        ("{address: 'x'", "application/json", "JSON"),
        ("[1, 2, 3]", "application/json", "objek JSON"),
        ("address=x", "application/x-www-form-urlencoded", "JSON"),
        ("\xff\xfe", "application/json", "JSON"),
    ],
)
def test_bodies_that_are_not_json_objects_are_400(
    client, token, make_household, data, content_type, message
):
    household = make_household(BANDUNG_VILLAGE)
    headers = {**token("admin"), "Content-Type": content_type}
    for method, url in (
        ("put", f"/api/v1/household/{household}"),
        ("post", "/api/v1/household/"),
        ("post", "/api/v1/member/"),
    ):
        response = getattr(client, method)(url, headers=headers, data=data)
        assert response.status_code == 400, (url, response.get_data(as_text=True))
        assert message in response.get_json()["message"]


@pytest.mark.parametrize(
    "query",
    [
        "(page_size:100000)",
        "(page_size:0)",
        "(page_size:-5)",
        "(page:-1)",
        "(page:99999999999999999999)",
        "(page_size:'many')",
        "(filters:!((col:nope,opr:eq,value:1)))",
        "(order_column:nope)",
    ],
)
def test_oversized_or_malformed_pages_are_400(client, token, query):
    response = client.get(f"/api/v1/household/?q={query}", headers=token("admin"))
    assert response.status_code == 400, response.get_data(as_text=True)


def test_columns_outside_the_declared_schema_are_never_shown(client, token, make_household):
    make_household(BANDUNG_VILLAGE)
    response = client.get(
        "/api/v1/member/?q=(columns:!(nik,password,household))", headers=token("admin")
    )
    assert response.status_code in (200, 400)
    assert "password" not in response.get_data(as_text=True).replace('"password"', "")


def test_page_size_above_the_cap_names_the_cap(client, token):
    response = client.get("/api/v1/region/?q=(page_size:101)", headers=token("admin"))
    assert response.status_code == 400
    assert "100" in response.get_json()["message"]
    full = client.get("/api/v1/region/?q=(page_size:100)", headers=token("admin")).get_json()
    assert len(full["result"]) == 100


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/household/99999999999999999999",
        "/api/v1/household/abc",
        "/api/v1/member/2147483648",
        "/api/v1/region/99.99",
        "/api/v1/region/123456789012345678901",
    ],
)
def test_ids_that_cannot_exist_are_404(client, token, url):
    headers = token("admin")
    assert client.get(url, headers=headers).status_code in (404, 405)
    if "/household/" in url:
        assert client.put(url, headers=headers, json={"version": 1}).status_code == 404
        assert client.delete(url, headers=headers).status_code == 404


def test_a_region_is_read_by_its_code(client, token):
    headers = token("interkoneksi")
    for code, level in (("32", 1), ("32.73", 2), ("32.73.01.1001", 4)):
        response = client.get(f"/api/v1/region/{code}", headers=headers)
        assert response.status_code == 200, code
        assert response.get_json()["result"]["level"] == level
    assert client.get("/api/v1/region/32.7x", headers=headers).status_code == 404


def test_openapi_document_declares_types_and_enumerations(client, token):
    spec = client.get("/api/v1/_openapi", headers=token("admin")).get_json()
    household = spec["components"]["schemas"]["HouseholdApi.put"]
    assert household["properties"]["floor_type"]["enum"][:2] == ["MARBLE", "CERAMIC"]
    assert household["properties"]["floor_area_m2"]["minimum"] == 1
    assert "welfare_decile" not in household["properties"]  # derived by the close
    assert "/api/v1/household/{pk}/ranking" in spec["paths"]
    assert "version" in household["required"]
    assert household["additionalProperties"] is False
    member = spec["components"]["schemas"]["MemberApi.post"]
    assert set(member["required"]) >= {"household_id", "nik", "kk_number", "birth_date"}
    for path in ("/api/v1/aggregate/", "/api/v1/nik-status/"):
        assert path in spec["paths"]


def test_swagger_ui_is_served(client, login):
    login("admin")
    response = client.get("/swagger/v1")
    assert response.status_code == 200
    assert "swagger" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("operator", ["sw", "ew", "ct", "nsw", "new", "nct", "neq"])
def test_a_masked_nik_cannot_be_uncovered_by_part(client, token, make_household, operator):
    """Provinsi sees NIKs masked; searching by a prefix or a part would uncover them digit by
    digit, so only whole NIKs are looked up (as in the console)."""
    make_household(BANDUNG_VILLAGE)
    headers = token("prov.jabar")
    shown = client.get("/api/v1/member/", headers=headers).get_json()["result"][0]["nik"]
    assert "*" in shown
    response = client.get(
        f"/api/v1/member/?q=(filters:!((col:nik,opr:{operator},value:'{shown[:6]}')))",
        headers=headers,
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    info = client.get("/api/v1/member/_info?q=(keys:!(filters))", headers=headers).get_json()
    assert {f["operator"] for f in info["filters"]["nik"]} == {"eq", "in"}


def test_a_whole_nik_is_still_looked_up_when_masked(client, token):
    client.post("/api/v1/household/", headers=token("admin"), json=new_household())
    headers = token("prov.jabar")
    exact = client.get(
        f"/api/v1/member/?q=(filters:!((col:nik,opr:eq,value:'{HEAD['nik']}')))", headers=headers
    ).get_json()
    assert exact["count"] == 1
    assert exact["result"][0]["nik"] != HEAD["nik"]  # still shown masked
    listed = client.get(
        f"/api/v1/member/?q=(filters:!((col:nik,opr:in,"
        f"value:!('{HEAD['nik']}','{SPOUSE['nik']}'))))",
        headers=headers,
    )
    assert listed.get_json()["count"] == 2


def test_chosen_columns_keep_the_declared_code_names(client, token, make_household):
    make_household(BANDUNG_VILLAGE)
    headers = token("admin")
    rows = client.get("/api/v1/member/?q=(columns:!(sex,status))", headers=headers).get_json()
    assert rows["result"] and set(rows["result"][0]) == {"sex", "status"}
    assert rows["result"][0]["status"] == "ACTIVE"
    assert rows["result"][0]["sex"] in {"MALE", "FEMALE"}
    member_id = rows["ids"][0]
    one = client.get(
        f"/api/v1/member/{member_id}?q=(columns:!(sex,birth_date))", headers=headers
    ).get_json()
    assert set(one["result"]) == {"sex", "birth_date"} and one["result"]["sex"] in {
        "MALE",
        "FEMALE",
    }
    masked = client.get("/api/v1/member/?q=(columns:!(nik))", headers=token("prov.jabar"))
    assert all("*" in row["nik"] for row in masked.get_json()["result"])


def test_columns_outside_the_declared_schema_are_refused(client, token):
    response = client.get("/api/v1/member/?q=(columns:!(nik,password))", headers=token("admin"))
    assert response.status_code == 400
    assert "full_name" in response.get_json()["message"]
