"""Dashboard aggregates (GET /api/v1/aggregate/): counts per sub-region and period, from the
snapshot for a closed period and live for the open one, only inside the client's region."""

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE

URL = "/api/v1/aggregate/"


def _receive(app, household_id, program_code="PBI-JK"):
    """The household's head receives a program."""
    from app.extensions import db
    from models import Member, Program, ProgramMembership
    from models.enums import Relationship

    with app.app_context():
        head = db.session.scalar(
            sa.select(Member).where(
                Member.household_id == household_id, Member.relation_to_head == Relationship.HEAD
            )
        )
        program = db.session.scalar(sa.select(Program).where(Program.code == program_code))
        db.session.add(
            ProgramMembership(program_id=program.id, household_id=household_id, member_id=head.id)
        )
        db.session.commit()


def test_live_counts_per_district_of_a_regency(client, token, make_household, app):
    first = make_household(BANDUNG_VILLAGE, welfare_decile=1)
    make_household(BANDUNG_VILLAGE, welfare_decile=3)
    make_household("32.73.02.1001", welfare_decile=None)
    make_household(BOGOR_VILLAGE)
    _receive(app, first)
    response = client.get(f"{URL}?region=32.73&level=district", headers=token("admin"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["source"], body["level"], body["region"]) == ("live", "district", "32.73")
    rows = {row["code"]: row for row in body["rows"]}
    assert set(rows) == {"32.73.01", "32.73.02"}
    assert rows["32.73.01"]["households"] == 2
    assert rows["32.73.01"]["families"] == 2
    assert rows["32.73.01"]["people"] == 4
    assert rows["32.73.01"]["deciles"]["1"] == 1 and rows["32.73.01"]["deciles"]["3"] == 1
    assert rows["32.73.02"]["deciles"]["none"] == 1
    assert rows["32.73.01"]["programs"]["PBI-JK"] == 1
    assert rows["32.73.02"]["programs"]["PBI-JK"] == 0
    # Factory households: a man born 1980 and a woman born 1983, both 25–44 or 45–59.
    people = rows["32.73.01"]["sex_age"]
    assert sum(people["MALE"].values()) == 2 and sum(people["FEMALE"].values()) == 2
    assert body["total"]["households"] == 3 and body["total"]["people"] == 6
    assert rows["32.73.01"]["name"]


def test_default_is_one_level_below_the_clients_region(client, token, make_household):
    make_household(BANDUNG_VILLAGE)
    make_household(BOGOR_VILLAGE)
    body = client.get(URL, headers=token("prov.jabar")).get_json()
    assert (body["region"], body["level"]) == ("32", "regency")
    assert {row["code"]: row["households"] for row in body["rows"]} == {"32.01": 1, "32.73": 1}
    national = client.get(URL, headers=token("pusdatin")).get_json()
    assert (national["region"], national["level"]) == ("", "province")
    assert [row["code"] for row in national["rows"]] == ["32"]


@pytest.mark.parametrize(
    "username, region",
    [
        ("operator.bandung", "32.01"),  # another regency
        ("operator.bandung", "32"),  # the province around one's regency
        ("prov.jabar", "31"),  # another province
        ("prov.jabar", ""),  # the nation
    ],
)
def test_a_region_outside_the_clients_scope_is_refused(client, token, username, region):
    response = client.get(f"{URL}?region={region}", headers=token(username))
    assert response.status_code == 403
    assert "di luar wilayah Anda" in response.get_json()["message"]


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("region=99.99", 404, "region"),
        ("region=32;DROP", 400, "region"),
        ("level=galaxy", 400, "level"),
        ("region=32.73&level=province", 400, "level"),
        ("period=2026-13x", 400, "period"),
        ("period=1999-01", 404, "period"),
        ("colour=red", 400, None),
    ],
)
def test_bad_parameters_are_answered_in_indonesian(client, token, query, status, field):
    response = client.get(f"{URL}?{query}", headers=token("admin"))
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["message"]
    if field and "errors" not in body:
        assert body.get("field") == field


def test_closed_period_comes_from_its_snapshot(app, client, token, make_household, fresh_period):  # noqa: F811
    from app import periods

    household = make_household(BANDUNG_VILLAGE, welfare_decile=2)
    _receive(app, household)
    with app.app_context():
        periods.close_period(fresh_period)
    headers = token("operator.bandung")
    # Right after the close, the determined register and the live one count the same.
    same = [
        client.get(f"{URL}?level=district{period}", headers=headers).get_json()["rows"]
        for period in ("", f"&period={fresh_period}")
    ]
    assert [
        {
            key: row[key]
            for key in ("code", "households", "families", "people", "programs", "deciles")
        }
        for row in same[0]
    ] == [
        {
            key: row[key]
            for key in ("code", "households", "families", "people", "programs", "deciles")
        }
        for row in same[1]
    ]
    # After the close, the live register changes; the closed period does not.
    make_household(BANDUNG_VILLAGE, welfare_decile=5)
    closed = client.get(f"{URL}?period={fresh_period}&level=village", headers=headers).get_json()
    assert (closed["source"], closed["period_status"]) == ("snapshot", "CLOSED")
    assert closed["age_on"] == "2091-01-31"
    assert [(row["code"], row["households"], row["people"]) for row in closed["rows"]] == [
        (BANDUNG_VILLAGE, 1, 2)
    ]
    assert closed["rows"][0]["programs"]["PBI-JK"] == 1
    # The decile that counts is the close's ranking, written back to the household.
    from app.extensions import db
    from models import Household

    with app.app_context():
        ranked = db.session.get(Household, household).welfare_decile
    assert ranked is not None and closed["rows"][0]["deciles"][str(ranked)] == 1
    assert sum(closed["rows"][0]["sex_age"]["FEMALE"].values()) == 1
    # The closed period's demography is the close's: a later correction does not change it.
    from models import Member
    from models.enums import Sex

    with app.app_context():
        for member in db.session.scalars(sa.select(Member).where(Member.household_id == household)):
            member.sex = Sex.MALE
        db.session.commit()
    again = client.get(f"{URL}?period={fresh_period}&level=village", headers=headers).get_json()
    assert again["rows"][0]["sex_age"] == closed["rows"][0]["sex_age"]
    assert again["sex_age_basis"] == "snapshot"
    live = client.get(f"{URL}?level=village", headers=headers).get_json()
    assert live["source"] == "live" and live["period"] != fresh_period
    assert live["rows"][0]["households"] == 2


def test_anonymous_clients_get_no_counts(client):
    assert client.get(URL).status_code == 401


def test_an_api_key_of_a_regional_system_counts_only_its_region(app, client, make_household):
    from app.security import api_keys

    make_household(BANDUNG_VILLAGE)
    with app.app_context():
        key = api_keys.create("interkoneksi", name="dashboard")["key"]
    headers = {"Authorization": f"Bearer {key}"}
    body = client.get(URL, headers=headers).get_json()
    assert body["region"] == "32" and body["total"]["households"] == 1
    assert client.get(f"{URL}?region=31", headers=headers).status_code == 403


def test_a_period_being_closed_is_still_counted_live(client, token, make_household, app):
    """While a close runs (CLOSING) there is no OPEN period, but the register is still live:
    the counts go on from it rather than failing."""
    from app.extensions import db
    from models import Period
    from models.enums import PeriodStatus

    make_household(BANDUNG_VILLAGE)
    with app.app_context():
        period = db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
        code = period.code
        period.status = PeriodStatus.CLOSING
        db.session.commit()
    try:
        body = client.get(f"{URL}?region=32.73", headers=token("admin")).get_json()
        assert (body["period"], body["period_status"], body["source"]) == (code, "CLOSING", "live")
        assert body["total"]["households"] == 1
    finally:
        with app.app_context():
            db.session.execute(
                sa.update(Period).where(Period.code == code).values(status=PeriodStatus.OPEN)
            )
            db.session.commit()
