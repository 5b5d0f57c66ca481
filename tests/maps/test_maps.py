"""Maps: the shipped boundaries cover the region table; the map page, its table and GET
/api/v1/map/ give the same figures for the viewer's scope, national → provinces, a province →
its regencies, a regency → its districts, a district and a village → household points; bad
input is told in Indonesian; a closed period is read from its close; the recap carries its map."""

import json
import re

import pytest
import sqlalchemy as sa

from tests.conftest import signed_in
from tests.fixtures.periods import TEST_CODE

URL = "/api/v1/map/"
AREA = re.compile(r'<path d="[^"]+" fill="[^"]+" class="map-area">')


@pytest.fixture
def quiet_village(app):
    """The last village of Kota Bandung's last district, which no other test fills."""
    from app.extensions import db
    from models import Region

    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.max(Region.code)).where(
                Region.level == 4, Region.code.startswith("32.73.")
            )
        )


def _locate(app, household_ids, longitude=107.65, latitude=-6.95):
    from app.extensions import db
    from models import Household

    with app.app_context():
        db.session.execute(
            sa.update(Household)
            .where(Household.id.in_(household_ids))
            .values(latitude=latitude, longitude=longitude)
        )
        db.session.commit()


def test_every_province_regency_and_district_of_the_region_table_has_a_shape(app):
    from app.extensions import db
    from app.maps import shapes
    from models import Region

    with app.app_context():
        by_level = {
            level: set(db.session.scalars(sa.select(Region.code).where(Region.level == level)))
            for level in (1, 2, 3)
        }
    assert len(by_level[1]) == 38 and len(by_level[2]) == 514
    for level, codes in by_level.items():
        missing = sorted(code for code in codes if shapes.shape(code) is None)
        assert missing == [], f"level {level} without a shape: {missing[:20]}"
    # A village has no boundary of its own: it is drawn as points.
    assert shapes.shape("32.73.01.1001") is None
    assert (shapes.BOUNDARIES / "LICENSE").read_text().startswith("MIT License")


def test_the_regencies_fit_in_one_megabyte_as_a_file_and_through_the_api(app):
    from app.maps import shapes

    assert shapes.file_of(2).stat().st_size < 1_000_000
    response = signed_in(app, "pusdatin").get(URL + "?level=regency")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.get_data()) < 1_000_000
    assert len(response.json["features"]) == 514


def test_the_api_answers_a_feature_per_sub_region_with_value_and_class(
    app, make_household, quiet_village
):
    ids = [make_household(quiet_village) for _ in range(3)]
    assert ids
    answer = signed_in(app, "prov.jabar").get(URL).json
    assert answer["type"] == "FeatureCollection" and answer["level"] == "regency"
    features = {item["properties"]["code"]: item for item in answer["features"]}
    assert len(features) == 27 and set(features) == {
        code for code in features if code.startswith("32.")
    }
    bandung = features["32.73"]
    assert bandung["properties"]["name"] == "Kota Bandung"
    assert bandung["properties"]["value"] >= 3 and bandung["properties"]["class"] >= 1
    assert bandung["geometry"]["type"] in ("Polygon", "MultiPolygon")
    longitude, latitude = _first_point(bandung["geometry"])
    assert 107.4 < longitude < 107.8 and -7.0 < latitude < -6.8  # GeoJSON order: lng, lat
    highest = max(answer["classes"], key=lambda item: item["class"])
    assert highest["highest"] == max(f["properties"]["value"] for f in answer["features"])

    districts = signed_in(app, "operator.bandung").get(URL).json
    codes = [item["properties"]["code"] for item in districts["features"]]
    assert districts["level"] == "district" and len(codes) == 30
    quiet = next(
        f for f in districts["features"] if quiet_village.startswith(f["properties"]["code"])
    )
    assert quiet["properties"]["value"] == 3


def _first_point(geometry):
    coordinates = geometry["coordinates"]
    while isinstance(coordinates[0][0], list):
        coordinates = coordinates[0]
    return coordinates[0]


@pytest.mark.parametrize(
    ("user", "query", "status", "message"),
    [
        ("operator.bandung", "?region=32", 403, "di luar wilayah Anda"),
        ("prov.jabar", "?region=33", 403, "di luar wilayah Anda"),
        ("pusdatin", "?indicator=poverty", 400, "Indikator tidak dikenal"),
        ("pusdatin", "?level=village", 400, "Tingkat harus salah satu dari"),
        ("pusdatin", "?region=32&level=province", 400, "Tingkat harus salah satu dari"),
        ("pusdatin", "?region=32.73&indicator=active_regencies", 400, "tidak dihitung di bawah"),
        ("pusdatin", "?region=99", 404, "Kode wilayah 99 tidak dikenal"),
        ("pusdatin", "?period=2026-13", 400, "TTTT-BB"),
        ("pusdatin", "?indicator=coverage&program=NOPE", 404, "Program NOPE tidak dikenal"),
        ("pusdatin", "?indicator=decile_share&decile=0-11", 400, "Desil ditulis"),
        ("pusdatin", "?classes=random", 400, "Kelas adalah salah satu dari"),
        ("pusdatin", "?region=32.73.01", 400, "peta"),
        ("interkoneksi", "?indicator=duplicates", 400, "Indikator tidak dikenal"),
    ],
)
def test_bad_input_is_told_in_indonesian_on_the_api_and_the_page(app, user, query, status, message):
    client = signed_in(app, user)
    response = client.get(URL + query)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert message in response.json["message"]
    page = client.get("/maps/" + query)
    if status == 403 or user == "interkoneksi":  # a partner system has the API only
        assert page.status_code == 403
    elif "region=32.73.01" not in query:
        assert page.status_code == 200
        assert message in page.get_data(as_text=True)


def test_the_map_page_draws_each_scope_one_level_down_with_its_table(
    app, make_household, quiet_village
):
    make_household(quiet_village)
    national = signed_in(app, "pusdatin").get("/maps/").get_data(as_text=True)
    assert len(AREA.findall(national)) == 38
    assert "Rumah Tangga — Indonesia, periode" in national
    assert 'href="/maps/?region=32&amp;period=' in national  # a province opens its regencies

    province = signed_in(app, "prov.jabar").get("/maps/").get_data(as_text=True)
    assert len(AREA.findall(province)) == 27
    assert "Kota Bandung" in province and "Jawa Tengah" not in province

    regency = signed_in(app, "operator.bandung").get("/maps/").get_data(as_text=True)
    assert len(AREA.findall(regency)) == 30
    table = regency[regency.index('id="map-table"') :]
    assert re.search(r"\(32\.73\.\d\d\)</span></td>\s*<td class=\"text-right\">1<", table)
    # No way up beyond the scope, and none into another regency.
    assert "region=32&amp;" not in regency and "region=32.01" not in regency


def test_household_points_link_to_households_and_masked_roles_see_counts(
    app, make_household, quiet_village
):
    ids = [make_household(quiet_village) for _ in range(2)]
    _locate(app, ids)
    district = quiet_village[:8]
    clerk = signed_in(app, "operator.bandung")
    page = clerk.get(f"/maps/?region={district}").get_data(as_text=True)
    assert "2 dari 2 rumah tangga memiliki koordinat" in page
    assert f'href="/maps/?region={quiet_village}' in page  # the village's circle opens it
    village = clerk.get(f"/maps/?region={quiet_village}").get_data(as_text=True)
    for household_id in ids:
        assert f'href="/households/show/{household_id}"' in village
    assert "Desil 1–2" in village

    masked = signed_in(app, "prov.jabar").get(f"/maps/?region={quiet_village}")
    text = masked.get_data(as_text=True)
    assert masked.status_code == 200 and "/households/show/" not in text
    assert "melihat berapa banyak rumah tangga" in text
    # Two households: a circle would sit where they live; the masked viewer gets the count only.
    assert "<circle" not in text and 'id="map-hidden"' in text
    circles = signed_in(app, "prov.jabar").get(f"/maps/?region={district}").get_data(as_text=True)
    assert "<circle" not in circles and re.search(r'text-right">2</td>', circles)
    assert "<circle" in page  # the clerk sees the village's circle
    assert signed_in(app, "operator.bogor").get(f"/maps/?region={district}").status_code == 403


def test_a_region_without_a_shape_is_named_not_dropped(app, monkeypatch):
    from app.maps import shapes

    original = shapes.shapes_under

    def without_bandung(region, level):
        return [item for item in original(region, level) if item.code != "32.73"]

    monkeypatch.setattr(shapes, "shapes_under", without_bandung)
    monkeypatch.setattr(
        shapes, "shape", lambda code, real=shapes.shape: None if code == "32.73" else real(code)
    )
    page = signed_in(app, "prov.jabar").get("/maps/").get_data(as_text=True)
    assert len(AREA.findall(page)) == 26
    missing = page[page.index('id="map-missing"') :][:400]
    assert "Kota Bandung (32.73)" in missing
    answer = signed_in(app, "prov.jabar").get(URL).json
    assert answer["without_shape"] == ["32.73"]


def test_a_closed_period_is_mapped_from_its_close(app, fresh_period, make_household, quiet_village):
    from app import periods

    make_household(quiet_village)
    make_household(quiet_village, welfare_decile=9)
    with app.app_context():
        assert periods.close_period(fresh_period).closed
    client = signed_in(app, "operator.bandung")
    answer = client.get(URL + f"?period={TEST_CODE}").json
    assert answer["period"] == TEST_CODE
    quiet = next(f for f in answer["features"] if quiet_village.startswith(f["properties"]["code"]))
    assert quiet["properties"]["value"] == 2
    shares = client.get(URL + f"?period={TEST_CODE}&indicator=decile_share&decile=1-10").json
    quiet = next(f for f in shares["features"] if quiet_village.startswith(f["properties"]["code"]))
    assert quiet["properties"]["value"] == 100.0
    # Default: the latest closed period, named on the page.
    page = client.get("/maps/").get_data(as_text=True)
    assert f"periode {TEST_CODE}" in page
    # The minutes of the close carry the map of active regencies.
    from tests.fixtures.documents import pdf_text

    minutes = signed_in(app, "prov.jabar").get(f"/reports/period/{TEST_CODE}/minutes.pdf")
    assert minutes.status_code == 200, minutes.get_data(as_text=True)[:300]
    text = " ".join(pdf_text(minutes.data).split())
    assert f"Peta: Kabupaten/kota aktif (%) — Jawa Barat, periode {TEST_CODE}" in text


def test_the_openapi_document_declares_the_map(client, token):
    spec = client.get("/api/v1/_openapi", headers=token("admin")).get_json()
    assert "/api/v1/map/" in spec["paths"]
    parameters = {item["name"] for item in spec["paths"]["/api/v1/map/"]["get"]["parameters"]}
    assert {"region", "level", "indicator", "period"} <= parameters
    assert json.dumps(spec["components"]["schemas"]["MapSchema"])


def test_beranda_and_the_activity_page_carry_the_map_of_the_scope(app):
    national = signed_in(app, "pusdatin").get("/").get_data(as_text=True)
    panel = national[national.index('id="region-map"') :]
    assert len(AREA.findall(panel)) == 38 and "Buka peta beserta tabelnya" in panel
    regency = signed_in(app, "operator.bandung").get("/").get_data(as_text=True)
    assert len(AREA.findall(regency[regency.index('id="region-map"') :])) == 30
    activity = signed_in(app, "prov.jabar").get("/activity/").get_data(as_text=True)
    panel = activity[activity.index('id="region-map"') :]
    assert "Kabupaten/kota aktif (%) — Jawa Barat" in panel
    assert len(AREA.findall(panel)) == 27


def test_the_region_recap_prints_its_map(app, make_household, quiet_village):
    from tests.fixtures.documents import pdf_text

    make_household(quiet_village)
    response = signed_in(app, "prov.jabar").get("/reports/region/32.73/recap.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Peta: Rumah Tangga — Kota Bandung, periode" in " ".join(text.split())
