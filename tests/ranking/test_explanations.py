"""Anyone who may see a household can see why it landed in its decile: the API, the household
page and the certificate show the score, the decile, the model version and each variable's
contribution (weight × value), largest first, adding up to the score; a closed period's
explanation is the close's arithmetic and does not move with later edits, while the open
period's preview does. The decile is no longer typed in: forms, API and import refuse it."""

import math
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, signed_in
from tests.fixtures.periods import TEST_CODE


def _ranking(client, headers, household_id):
    return client.get(f"/api/v1/household/{household_id}/ranking", headers=headers)


def _indonesian(value: float) -> str:
    return f"{value:+.2f}".replace(".", ",").replace("-", "−")


def _poor_household(make_household):
    """A household with an earth floor, firewood and no toilet, so those variables count."""
    return make_household(BANDUNG_VILLAGE, welfare_decile=7)


def _set_housing(app, household_id, **values):
    from app.extensions import db
    from models import Household

    with app.app_context():
        household = db.session.get(Household, household_id)
        for name, value in values.items():
            setattr(household, name, value)
        db.session.commit()


@pytest.fixture
def ranked_household(app, make_household, fresh_period):
    """A Bandung household with poor housing, ranked by a real close of the test period."""
    from app import periods
    from models.enums import CookingFuel, FloorType, Toilet

    household_id = _poor_household(make_household)
    _set_housing(
        app,
        household_id,
        floor_type=FloorType.EARTH,
        cooking_fuel=CookingFuel.FIREWOOD,
        toilet=Toilet.NONE,
        floor_area_m2=24,
        has_motorcycle=True,
    )
    with app.app_context():
        assert periods.close_period(fresh_period).closed
    return household_id


def test_the_api_explains_the_closed_periods_ranking_and_it_adds_up(
    app, client, token, ranked_household
):
    from app.extensions import db
    from models import Household, Period, PeriodSnapshot

    response = _ranking(client, token("operator.bandung"), ranked_household)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    with app.app_context():
        snapshot = db.session.execute(
            sa.select(PeriodSnapshot)
            .join(Period, Period.id == PeriodSnapshot.period_id)
            .where(Period.code == TEST_CODE, PeriodSnapshot.household_id == ranked_household)
        ).scalar_one()
        stored = db.session.get(Household, ranked_household)
        assert stored.welfare_decile == snapshot.welfare_decile  # written back by the close
        assert stored.previous_decile == 7 or stored.previous_decile is None
    assert (body["source"], body["period"], body["model_version"]) == (
        "period",
        TEST_CODE,
        "pmt-2026-default",
    )
    assert body["decile"] == snapshot.welfare_decile == body["model_decile"]
    assert math.isclose(body["score"], snapshot.pmt_score, abs_tol=1e-9)
    total = body["intercept"] + sum(c["contribution"] for c in body["contributions"])
    assert math.isclose(total, body["score"], abs_tol=1e-9)
    for c in body["contributions"]:
        assert math.isclose(c["weight"] * c["value"], c["contribution"], abs_tol=1e-12)
    sizes = [abs(c["contribution"]) for c in body["contributions"]]
    assert sizes == sorted(sizes, reverse=True)
    named = {c["variable"]: c for c in body["contributions"]}
    assert {"floor_poor", "cooking_solid_fuel", "toilet_none"} <= set(named)
    assert named["floor_poor"]["contribution"] < 0 and named["floor_poor"]["value"] == 1
    assert named["floor_poor"]["label"].startswith("Lantai tanah")
    # The preview of the open period is there too, its decile placed by this close's cut-offs.
    assert body["preview"]["cutoffs_period"] == TEST_CODE
    assert 1 <= body["preview"]["decile"] <= 10


def test_a_later_edit_moves_the_preview_but_not_the_closed_periods_explanation(
    app, client, token, ranked_household
):
    from models.enums import FloorType

    headers = token("operator.bandung")
    before = _ranking(client, headers, ranked_household).get_json()
    _set_housing(app, ranked_household, floor_type=FloorType.CERAMIC)
    after = _ranking(client, headers, ranked_household).get_json()
    assert after["score"] == before["score"] and after["contributions"] == before["contributions"]
    assert "floor_poor" not in {c["variable"] for c in after["preview"]["contributions"]}
    assert after["preview"]["score"] > before["preview"]["score"]


def test_the_ranking_is_scoped_like_the_household(client, token, ranked_household):
    assert _ranking(client, token("operator.bogor"), ranked_household).status_code == 404
    assert _ranking(client, token("operator.bandung"), 10**9).status_code == 404
    assert _ranking(client, {}, ranked_household).status_code == 401


def test_an_unranked_household_gets_a_live_preview(app, client, token, make_household):
    household_id = make_household(BANDUNG_VILLAGE)
    body = _ranking(client, token("operator.bandung"), household_id).get_json()
    if body["source"] == "period":  # an earlier test's close ranked ids like this one
        pytest.skip("household id reused from a ranked one")
    assert body["source"] == "preview" and body["period"] is None
    total = body["intercept"] + sum(c["contribution"] for c in body["contributions"])
    assert math.isclose(total, body["score"], abs_tol=1e-9)


def test_the_household_page_shows_the_decile_and_its_reasons_in_indonesian(
    app, client, token, ranked_household
):
    body = _ranking(client, token("operator.bandung"), ranked_household).get_json()
    browser = signed_in(app, "operator.bandung")
    html = browser.get(f"/households/show/{ranked_household}").get_data(as_text=True)
    assert "Peringkat kesejahteraan" in html
    assert f"Desil {body['decile']} pada periode {TEST_CODE}" in html
    top = body["contributions"][0]
    assert f"{top['label']}: {_indonesian(top['contribution'])}" in html
    assert "pmt-2026-default" in html and "Pratinjau periode berjalan" in html
    # the edit form no longer offers the decile
    edit = browser.get(f"/households/edit/{ranked_household}").get_data(as_text=True)
    assert 'name="welfare_decile"' not in edit


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_certificate_carries_the_decile_and_its_basis(app, client, token, ranked_household):
    from tests.fixtures.documents import certificate_url, pdf_text

    body = _ranking(client, token("operator.bandung"), ranked_household).get_json()
    browser = signed_in(app, "operator.bandung")
    response = browser.get(certificate_url(ranked_household))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = " ".join(pdf_text(response.data).split())
    assert "Dasar desil" in text and "pmt-2026-default" in text and "Lampiran" in text
    assert _indonesian(body["contributions"][0]["contribution"]) in text
    assert body["contributions"][0]["label"].split(",")[0] in text


def test_the_api_refuses_a_typed_decile_and_says_why(client, token, make_household):
    household = make_household(BANDUNG_VILLAGE)
    response = client.put(
        f"/api/v1/household/{household}",
        headers=token("operator.bandung"),
        json={"welfare_decile": 1, "version": 1},
    )
    assert response.status_code == 400
    assert "welfare_decile" in str(response.get_json())
    assert "tidak diisi" in str(response.get_json())


def test_the_household_form_ignores_a_posted_decile(app, make_household):
    from app.extensions import db
    from models import Household
    from tests.conftest import form_defaults

    household = make_household(BOGOR_VILLAGE, welfare_decile=4)
    browser = signed_in(app, "admin")
    url = f"/households/edit/{household}"
    data = form_defaults(browser, url) | {
        "village_code": BOGOR_VILLAGE,
        "address": "Jl. Pajajaran 3",
        "welfare_decile": "1",
    }
    response = browser.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    with app.app_context():
        stored = db.session.get(Household, household)
        assert (stored.address, stored.welfare_decile) == ("Jl. Pajajaran 3", 4)


def test_an_import_file_with_a_decile_column_is_refused_with_the_reason(app, tmp_path):
    from tests.fixtures.imports import as_csv, counts, one_household, run_cli

    row = one_household() | {"welfare_decile": "1"}
    before = counts(app)
    result, _problems = run_cli(app, tmp_path, as_csv([row]))
    assert result.exit_code != 0
    assert "Desil kesejahteraan tidak diisi" in result.output, result.output
    assert counts(app) == before
