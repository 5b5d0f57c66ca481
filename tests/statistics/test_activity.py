"""District activity: corrections from the audit trail and new proposals per regency, live for
the open period and as stored for closed ones; each reader sees their own region."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.fixtures.periods import NEXT_CODE, edit_household_through_form

JAKARTA_VILLAGE = "31.71.01.1001"
_ROW = re.compile(
    r'<tr class="regency (regency-active|regency-inactive)" data-code="([^"]+)">'
    r"(.*?)</tr>",
    re.S,
)


def _rows(html: str) -> dict:
    """{regency code: (active, [cells])} from the activity page."""
    rows = {}
    for state, code, body in _ROW.findall(html):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        ]
        rows[code] = (state == "regency-active", cells)
    return rows


def _as(client, login, username):
    client.get("/logout/")
    login(username)


def test_bandung_is_active_after_an_edit_counted_live(
    app, client, login, make_household, fresh_period
):
    bandung = make_household(BANDUNG_VILLAGE)  # created by the system: not a correction
    make_household(BOGOR_VILLAGE)
    _as(client, login, "pusdatin")
    before = _rows(client.get("/activity/").get_data(as_text=True))
    assert before["32.73"][0] is False

    _as(client, login, "operator.bandung")
    edit_household_through_form(app, client, bandung, "Jl. Dago No. 9")
    _as(client, login, "pusdatin")
    html = client.get("/activity/").get_data(as_text=True)
    rows = _rows(html)
    assert rows["32.73"][0] is True
    assert rows["32.73"][1][1:3] == ["1", "0"]  # one correction, no proposal
    assert rows["32.01"][0] is False
    assert len(rows) == 514
    assert "dihitung langsung dari jejak audit" in html
    assert 'id="share-national"' in html
    assert "1 dari 514 kabupaten/kota" in html


def test_provinsi_sees_only_its_province(app, client, login, make_household, fresh_period):
    jakarta = make_household(JAKARTA_VILLAGE)
    _as(client, login, "admin")
    edit_household_through_form(app, client, jakarta, "Jl. Medan Merdeka 1")
    html = client.get("/activity/").get_data(as_text=True)
    assert _rows(html)["31.71"][0] is True

    _as(client, login, "prov.jabar")
    html = client.get("/activity/").get_data(as_text=True)
    rows = _rows(html)
    assert rows and all(code.startswith("32.") for code in rows)
    assert len(rows) == 27
    assert "31.71" not in html and "Jakarta" not in html
    assert 'id="share-national"' not in html
    assert re.findall(r'class="province-share" data-code="([^"]+)"', html) == ["32"]
    assert client.get("/activity/?province=31").status_code == 200  # ignored: not national
    assert "31.71" not in client.get("/activity/?province=31").get_data(as_text=True)


def test_a_closed_period_shows_what_its_close_stored(
    app, client, login, make_household, fresh_period
):
    from app import periods

    bandung = make_household(BANDUNG_VILLAGE)
    _as(client, login, "operator.bandung")
    edit_household_through_form(app, client, bandung, "Jl. Braga No. 3")
    with app.app_context():
        periods.close_period()
    _as(client, login, "pusdatin")
    html = client.get(f"/activity/?period={fresh_period}").get_data(as_text=True)
    assert "sudah ditutup" in html
    assert _rows(html)["32.73"][0] is True
    html = client.get("/activity/").get_data(as_text=True)  # the open period: 2091-02
    assert NEXT_CODE in html and _rows(html)["32.73"][0] is False
    # The chart across periods: the closed one and the open one (starred), offline SVG.
    chart = re.search(r'id="chart-share".*?</figure>', html, re.S).group(0)
    assert "<svg" in chart and f"{fresh_period}" in chart and f"{NEXT_CODE}*" in chart
    assert "kozea.github.io" not in html and "<script" not in chart.split("<svg", 1)[0]
    filtered = client.get("/activity/?province=32").get_data(as_text=True)
    assert all(code.startswith("32.") for code in _rows(filtered))


@pytest.mark.parametrize("username", ["operator.bandung", "verifikator.bandung", "interkoneksi"])
def test_regency_roles_do_not_see_the_dashboard(client, login, username, fresh_period):
    login(username)
    assert client.get("/activity/").status_code in (302, 403)


def test_an_unknown_period_or_province_is_not_found(client, login, fresh_period):
    login("pusdatin")
    assert client.get("/activity/?period=1999-01").status_code == 404
    assert client.get("/activity/?province=99").status_code == 404


def test_corrections_count_only_edits_of_determined_households_by_users(
    app, make_household, fresh_period
):
    """A system write (a close applying proposals, a bulk load), a deletion, or an edit of a
    proposed household is not a correction."""
    from app import audit
    from app.extensions import db
    from app.statistics import activity
    from models import Household, Period, RegionUser
    from models.enums import HouseholdStatus

    active = make_household(BANDUNG_VILLAGE)
    proposed = make_household(BANDUNG_VILLAGE)
    with app.app_context():
        for household_id, address in ((active, "A"), (proposed, "B")):
            db.session.get(Household, household_id).address = address
        db.session.get(Household, proposed).status = HouseholdStatus.PROPOSED
        db.session.commit()  # audited, but by the system (no user)
        period = db.session.scalar(sa.select(Period).where(Period.code == fresh_period))
        start = activity.window_start(db.session.connection(), period)
        assert db.session.execute(activity.village_activity(start, None, period.id)).all() == []

        operator = db.session.scalar(
            sa.select(RegionUser.id).where(RegionUser.username == "operator.bandung")
        )
        who = (operator, "operator.bandung", "127.0.0.1")
        audit.record_many(
            [
                audit.entry(
                    "update",
                    "household",
                    active,
                    BANDUNG_VILLAGE,
                    {"rt": "1"},
                    {"rt": "2"},
                    who=who,
                ),
                audit.entry(
                    "update",
                    "household",
                    proposed,
                    BANDUNG_VILLAGE,
                    {"rt": "1"},
                    {"rt": "2"},
                    who=who,
                ),
                audit.entry(
                    "delete", "household", active, BANDUNG_VILLAGE, {"rt": "2"}, None, who=who
                ),
            ]
        )
        db.session.commit()
        rows = db.session.execute(activity.village_activity(start, None, period.id)).all()
        assert [(row.village_code, row.corrections, row.new_proposals) for row in rows] == [
            (BANDUNG_VILLAGE, 1, 0)
        ]
