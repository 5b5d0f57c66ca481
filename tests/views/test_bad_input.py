"""Hostile or malformed request arguments get a 4xx or a normal page, never a server error."""

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/households/list/?_flt_0_status=BOGUS",
        "/households/list/?_flt_0_welfare_decile=abc",
        "/households/list/?page_HouseholdView=abc",
        "/households/list/?psize_HouseholdView=-5",
        "/households/list/?_oc_HouseholdView=nonexistent&_od_HouseholdView=asc",
        "/households/list/?_flt_9_region=32",
        "/households/show/abc",
        "/households/show/999999",
        "/households/edit/999999",
        "/members/add?_flt_0_household=abc",
        "/regions/picker/search?level=abc&q=%25%25",
        "/api/v1/household/?q=(filters:!((col:status,opr:eq,value:BOGUS)))",
        "/api/v1/household/?q=garbage",
    ],
)
def test_no_server_error(client, login, url):
    login("admin")
    response = client.get(url)
    assert response.status_code < 500, url
