"""Program eligibility and targeting errors: a program's rule is checked when it is saved
(refused in Indonesian, nothing stored), the close applies it to the determined register, and
the targeting page, the region recap and /api/v1/targeting/ give the same inclusion and
exclusion errors for a region, inside the reader's scope only."""

import json
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import form_defaults, signed_in
from tests.fixtures.periods import TEST_CODE

URL = "/api/v1/targeting/"
#: Eligible: every decile, with a spouse in the household (ages would need people born after
#: today: the test period lies in 2091).
SPOUSE_RULE = {"deciles": [1, 10], "members_any": [{"relation_to_head": ["SPOUSE"]}]}


@pytest.fixture
def quiet_village(app):
    """The last village of Kota Bandung, which no other test fills: (village, district)."""
    from app.extensions import db
    from models import Region

    with app.app_context():
        village = db.session.scalar(
            sa.select(sa.func.max(Region.code)).where(
                Region.level == 4, Region.code.startswith("32.73.")
            )
        )
    return village, village.rsplit(".", 1)[0]


@pytest.fixture
def pkh_rule(app):
    """PKH's rule replaced by SPOUSE_RULE for the test, the shipped one put back after."""
    from app.extensions import db
    from models import Program

    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == "PKH"))
        before, program.eligibility = program.eligibility, json.dumps(SPOUSE_RULE)
        db.session.commit()
    yield
    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == "PKH"))
        program.eligibility = before
        db.session.commit()


def _household(make_household, village, spouse: bool):
    from tests.fixtures.factories import member_data

    head = member_data(village)
    members = [head]
    if spouse:
        members.append(
            member_data(village, Relationship.SPOUSE, Sex.FEMALE, name="Siti", kk=head["kk_number"])
        )
    return make_household(village, members=members)


@pytest.fixture
def targeted(app, make_household, fresh_period, quiet_village, pkh_rule):
    """Four households of the quiet village: receiving and eligible, eligible only (exclusion),
    receiving only (inclusion), neither; closed in the test period."""
    from app import periods
    from tests.fixtures.documents import add_membership

    village, _district = quiet_village
    right = _household(make_household, village, spouse=True)
    excluded = _household(make_household, village, spouse=True)
    included = _household(make_household, village, spouse=False)
    _household(make_household, village, spouse=False)
    add_membership(app, right, "PKH")
    add_membership(app, included, "PKH")
    with app.app_context():
        assert periods.close_period(fresh_period).closed
    return {"right": right, "excluded": excluded, "included": included}


def _pkh(body):
    return next(program for program in body["programs"] if program["code"] == "PKH")


def test_the_close_applies_the_rule_and_the_api_counts_both_errors(
    app, client, token, targeted, quiet_village
):
    from app.extensions import db
    from models import Period, PeriodSnapshotEligibility, Program

    village, district = quiet_village
    with app.app_context():
        eligible = set(
            db.session.scalars(
                sa.select(PeriodSnapshotEligibility.household_id)
                .join(Period, Period.id == PeriodSnapshotEligibility.period_id)
                .join(Program, Program.id == PeriodSnapshotEligibility.program_id)
                .where(Period.code == TEST_CODE, Program.code == "PKH")
            )
        )
    assert {targeted["right"], targeted["excluded"]} <= eligible
    assert targeted["included"] not in eligible

    response = client.get(
        f"{URL}?region={district}&program=PKH&period={TEST_CODE}", headers=token("operator.bandung")
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["region"], body["level"], body["period"]) == (district, "village", TEST_CODE)
    [row] = [row for row in _pkh(body)["rows"] if row["code"] == village]
    assert (row["households"], row["eligible"], row["recipients"]) == (4, 2, 2)
    assert (row["inclusion_errors"], row["exclusion_errors"]) == (1, 1)
    assert (row["inclusion_error_rate"], row["exclusion_error_rate"]) == (0.5, 0.5)
    assert (
        sum(d["households"] for d in _pkh(body)["by_decile"]) == _pkh(body)["total"]["households"]
    )
    overlap = body["overlap"]
    pkh = overlap["programs"].index("PKH")
    assert overlap["matrix"][pkh][pkh] == _pkh(body)["total"]["recipients"]
    assert "Desil 1–10" in _pkh(body)["rule"]


def test_the_page_and_the_recap_agree_with_the_api(app, client, token, targeted, quiet_village):
    village, district = quiet_village
    regency = district.rsplit(".", 1)[0]
    api = client.get(
        f"{URL}?region={regency}&program=PKH&period={TEST_CODE}", headers=token("operator.bandung")
    ).get_json()
    [row] = [row for row in _pkh(api)["rows"] if row["code"] == district]
    browser = signed_in(app, "operator.bandung")
    page = browser.get(f"/targeting/?region={regency}&program=PKH&period={TEST_CODE}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ketepatan sasaran" in html and "Salah inklusi" in html
    cells = re.search(rf"\({re.escape(district)}\)</span></th>(.*?)</tr>", html, re.S).group(1)
    numbers = [int(n.replace(".", "")) for n in re.findall(r'text-right">([\d.]+)', cells)]
    assert numbers == [
        row["households"],
        row["eligible"],
        row["recipients"],
        row["inclusion_errors"],
        row["exclusion_errors"],
    ]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    from tests.fixtures.documents import pdf_text

    pusdatin = signed_in(app, "pusdatin")
    recap = pusdatin.get(f"/reports/region/{regency}/recap.pdf?period={TEST_CODE}")
    assert recap.status_code == 200, recap.get_data(as_text=True)[:300]
    assert "Salah sasaran menurut desil" in pdf_text(recap.data)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=recap.data, capture_output=True
    ).stdout.decode()
    by_region = layout.split("Salah inklusi dan eksklusi menurut")[1]
    line = next(line for line in by_region.splitlines() if line.strip().startswith(row["name"]))
    tail = [int(n.replace(".", "")) for n in re.findall(r"\b[\d.]+\b", line)]
    all_programs = client.get(
        f"{URL}?region={regency}&period={TEST_CODE}", headers=token("operator.bandung")
    ).get_json()
    pkh_position = [p["code"] for p in all_programs["programs"]].index("PKH")
    assert tail[2 * pkh_position : 2 * pkh_position + 2] == [
        row["inclusion_errors"],
        row["exclusion_errors"],
    ]


def test_targeting_is_scoped_and_bad_input_is_told_in_indonesian(client, token, targeted):
    bogor = token("operator.bogor")
    assert client.get(f"{URL}?region=32.73&period={TEST_CODE}", headers=bogor).status_code == 403
    headers = token("operator.bandung")
    cases = {
        "program=ZZZ": (404, "Program ZZZ tidak dikenal"),
        "period=2091-13x": (400, None),
        "level=planet": (400, None),
    }
    for query, (status, message) in cases.items():
        response = client.get(f"{URL}?region=32.73&{query}", headers=headers)
        assert response.status_code == status, (query, response.get_json())
        if message:
            assert message in json.dumps(response.get_json(), ensure_ascii=False)
    # the open period has no targeting yet
    from tests.fixtures.periods import NEXT_CODE

    response = client.get(f"{URL}?region=32.73&period={NEXT_CODE}", headers=headers)
    assert response.status_code == 400
    assert "belum ditutup" in json.dumps(response.get_json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('{"deciles": [1, 4], "warna": "merah"}', "tidak dikenal: warna"),
        ('{"deciles": [1, 4], "members_any": [{"umur": [6, 21]}]}', "tidak dikenal: umur"),
        ('{"deciles": [5, 2]}', "awal"),
        ('{"deciles": [1, 4], "members_any": [{"sex": ["LAKI"]}]}', "LAKI"),
        ("desil 1 sampai 4", "JSON"),
    ],
)
def test_a_wrong_rule_is_refused_in_indonesian_and_nothing_is_stored(app, rule, message):
    from app.extensions import db
    from models import Program

    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == "PIP"))
        program_id, before = program.id, program.eligibility
    browser = signed_in(app, "pusdatin")
    url = f"/programs/edit/{program_id}"
    data = form_defaults(browser, url) | {
        "code": "PIP",
        "name": "Program Indonesia Pintar",
        "target_level": "PERSON",
        "eligibility": rule,
    }
    response = browser.post(url, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html, html[html.find("eligibility") : html.find("eligibility") + 600]
    assert rule.replace('"', "&#34;")[:10] in html or rule[:10] in html  # what was typed is kept
    with app.app_context():
        assert db.session.get(Program, program_id).eligibility == before


def test_a_good_rule_is_stored_and_shown_in_words(app):
    from app.extensions import db
    from models import Program

    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == "RUTILAHU"))
        program_id, before = program.id, program.eligibility
    browser = signed_in(app, "pusdatin")
    url = f"/programs/edit/{program_id}"
    rule = {"deciles": [1, 2], "members_any": [{"disability": "ANY"}]}
    data = form_defaults(browser, url) | {
        "code": "RUTILAHU",
        "name": "Rehabilitasi Rumah Tidak Layak Huni",
        "target_level": "HOUSEHOLD",
        "eligibility": json.dumps(rule),
    }
    try:
        assert browser.post(url, data=data).status_code == 302
        listed = browser.get("/programs/list/").get_data(as_text=True)
        assert "Desil 1–2" in listed
        with app.app_context():
            assert json.loads(db.session.get(Program, program_id).eligibility) == rule
    finally:
        with app.app_context():
            db.session.get(Program, program_id).eligibility = before
            db.session.commit()
