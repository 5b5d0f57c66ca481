"""CSV and XLSX exports of the console's lists: the rows of the filtered list, whatever its
paging, in the user's scope however the filters are crafted, NIK masked as on screen."""

import re

import pytest

from tests.fixtures.exports import fetch, read_csv, read_xlsx


def list_register_ids(client, query: str = "") -> list[str]:
    html = client.get(f"/households/list/?psize_HouseholdView=100&{query}")
    assert html.status_code == 200
    return re.findall(r"<td[^>]*>\s*(\d{14})\s*</td>", html.get_data(as_text=True))


def register_ids(app, household_ids) -> set[str]:
    from app.extensions import db
    from models import Household

    with app.app_context():
        return {db.session.get(Household, pk).register_id for pk in household_ids}


# -- the rows of the filtered list ----------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "",
        "_flt_0_welfare_decile=5",
        "_flt_0_region=32.73&_oc_HouseholdView=welfare_decile&_od_HouseholdView=asc",
        "_flt_0_welfare_decile=5&_oc_HouseholdView=register_id&_od_HouseholdView=desc",
    ],
)
def test_export_holds_exactly_the_rows_of_the_filtered_list(app, client, login, register, query):
    login("admin")
    listed = list_register_ids(client, query)
    rows = read_csv(fetch(client, f"/households/export/csv?{query}"))
    assert rows[0][0] == "ID Ruta"
    assert [row[0] for row in rows[1:]] == listed
    values, _cells = read_xlsx(fetch(client, f"/households/export/xlsx?{query}"))
    assert [row[0] for row in values[1:]] == listed


def test_export_ignores_paging_and_takes_every_row(client, login, register):
    login("admin")
    rows = read_csv(
        fetch(client, "/households/export/csv?page_HouseholdView=1&psize_HouseholdView=2")
    )
    assert len(rows) - 1 == 7


def test_list_page_offers_export_buttons_with_its_search(client, login, register):
    login("operator.bandung")
    html = client.get("/households/list/?_flt_0_welfare_decile=5&page_HouseholdView=0").get_data(
        as_text=True
    )
    assert "Ekspor CSV" in html and "Ekspor XLSX" in html
    links = re.findall(r'href="(/households/export/(?:csv|xlsx)[^"]*)"', html)
    assert len(links) == 2
    for link in links:
        assert "_flt_0_welfare_decile=5" in link and "page_" not in link
    # Every register list has them.
    for url in (
        "/members/list/",
        "/families/list/",
        "/memberships/list/",
        "/proposals/list/",
        "/regions/list/",
        "/programs/list/",
    ):
        assert "Ekspor CSV" in client.get(url).get_data(as_text=True), url


# -- scope and privacy --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/households/export/csv",
        "/members/export/csv",
        "/families/export/csv",
        "/memberships/export/csv",
    ],
)
def test_regency_operator_exports_only_own_regency(app, client, login, register, url):
    login("operator.bandung")
    response = fetch(client, url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for register_id in register_ids(app, register["bogor"]):
        assert register_id not in text
    if url.startswith("/households"):
        assert {row[0] for row in read_csv(response)[1:]} == register_ids(app, register["bandung"])


def test_proposals_and_reference_lists_export_too(app, client, login, register):
    from app import proposals
    from app.extensions import db
    from models import Household
    from models.enums import DeactivationReason

    with app.app_context():
        sm = app.appbuilder.sm
        for username, household_id in (
            ("operator.bandung", register["bandung"][0]),
            ("operator.bogor", register["bogor"][0]),
        ):
            proposals.propose_deactivation(
                sm.find_user(username=username), DeactivationReason.MOVED, household_id=household_id
            )
        bandung = db.session.get(Household, register["bandung"][0]).register_id
        bogor = db.session.get(Household, register["bogor"][0]).register_id
    login("operator.bandung")
    rows = read_csv(fetch(client, "/proposals/export/csv"))
    households = rows[0].index("Rumah Tangga")
    assert [row[households] for row in rows[1:]] == [bandung]
    assert rows[1][rows[0].index("Alasan penonaktifan")] == "Pindah"
    assert rows[1][rows[0].index("Diusulkan oleh")] == "operator.bandung"
    values, _ = read_xlsx(fetch(client, "/proposals/export/xlsx"))
    assert [row[households] for row in values[1:]] == [bandung] != [bogor]
    programs = read_csv(fetch(client, "/programs/export/csv"))
    assert {"PKH", "PBI-JK"} & {row[0] for row in programs[1:]}
    assert len(read_csv(fetch(client, "/periods/export/csv"))) >= 2


def test_crafted_filters_cannot_leave_the_scope(app, client, login, register):
    login("operator.bandung")
    for query in (
        "_flt_0_region=32.01",
        "_flt_0_region=32",
        "_flt_0_region=",
        "_flt_0_inregion=32.01",
        "_flt_0_village_code=32.01.01.1001",
    ):
        response = fetch(client, f"/households/export/csv?{query}")
        # Filters the list does not offer are refused as on the list page.
        assert response.status_code == client.get(f"/households/list/?{query}").status_code
        if response.status_code == 400:
            continue
        ids = {row[0] for row in read_csv(response)[1:]}
        assert not ids & register_ids(app, register["bogor"]), query
    # A foreign region is an empty file, not an error.
    rows = read_csv(fetch(client, "/households/export/csv?_flt_0_region=32.01"))
    assert len(rows) == 1 and rows[0][0] == "ID Ruta"
    values, _ = read_xlsx(fetch(client, "/households/export/xlsx?_flt_0_region=32.01"))
    assert len(values) == 1


def _niks(app, household_ids) -> set[str]:
    from app.extensions import db
    from models import Member

    with app.app_context():
        return {
            m.nik for m in db.session.query(Member).filter(Member.household_id.in_(household_ids))
        }


def test_province_sees_nik_masked_as_on_screen(app, client, login, register):
    full = _niks(app, register["bandung"] + register["bogor"])
    login("prov.jabar")
    rows = read_csv(fetch(client, "/members/export/csv"))
    assert rows[0][0] == "NIK"
    exported = {row[0] for row in rows[1:]}
    assert exported == {nik[:6] + "********" + nik[-2:] for nik in full}
    values, _ = read_xlsx(fetch(client, "/members/export/xlsx"))
    assert {row[0] for row in values[1:]} == exported
    body = fetch(client, "/members/export/csv").get_data(as_text=True)
    assert not any(nik in body for nik in full)


def test_operator_sees_full_nik_of_own_regency(app, client, login, register):
    login("operator.bandung")
    rows = read_csv(fetch(client, "/members/export/csv"))
    assert {row[0] for row in rows[1:]} == _niks(app, register["bandung"])
