"""Read-only REST resources: JWT login, counts, scope, page-size cap."""

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE


def test_region_resource_reports_all_kemendagri_regions(client, token):
    response = client.get("/api/v1/region/", headers=token("admin"))
    assert response.status_code == 200
    assert response.get_json()["count"] == 91_599


def test_wrong_password_is_refused(client):
    response = client.post(
        "/api/v1/security/login", json={"username": "admin", "password": "wrong", "provider": "db"}
    )
    assert response.status_code == 401


def test_household_resource_is_scoped(client, token, make_household):
    bandung = make_household(BANDUNG_VILLAGE)
    bogor = make_household(BOGOR_VILLAGE)
    headers = token("operator.bandung")
    listed = client.get("/api/v1/household/", headers=headers).get_json()
    assert [row["id"] for row in listed["result"]] == [bandung]
    assert client.get(f"/api/v1/household/{bogor}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/household/{bandung}", headers=headers).status_code == 200
    admin = client.get("/api/v1/household/", headers=token("admin")).get_json()
    assert admin["count"] == 2


def test_member_resource_is_scoped(client, token, make_household):
    make_household(BANDUNG_VILLAGE)
    make_household(BOGOR_VILLAGE)
    rows = client.get("/api/v1/member/", headers=token("operator.bogor")).get_json()
    assert rows["count"] == 2
    assert all(row["nik"].startswith("320101") for row in rows["result"])


def test_api_page_size_is_capped(client, token):
    response = client.get("/api/v1/region/?q=(page_size:100000)", headers=token("admin"))
    assert response.status_code == 400 or len(response.get_json()["result"]) <= 100


def test_openapi_document_lists_the_resources(client, token):
    spec = client.get("/api/v1/_openapi", headers=token("admin")).get_json()
    for resource in ("region", "household", "family", "member", "program", "membership", "period"):
        assert f"/api/v1/{resource}/" in spec["paths"], resource
