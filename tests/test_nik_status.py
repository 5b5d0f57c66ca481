"""NIK status check (POST /api/v1/nik-status/) for program systems: registered or not, decile,
programs, determined period — nothing else; malformed NIKs per item; at most 1,000 per request;
rate limited; audited; limited to the caller's region."""
import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE
from tests.test_periods import fresh_period  # noqa: F401  (fixture)

URL = "/api/v1/nik-status/"
ANSWER_KEYS = {"nik", "valid", "registered", "welfare_decile", "programs", "determined_period"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    app.appbuilder.sm.limiter.reset()
    yield
    app.appbuilder.sm.limiter.reset()


def niks_of(app, household_id):
    from app.extensions import db
    from models import Member

    with app.app_context():
        return db.session.scalars(sa.select(Member.nik).where(
            Member.household_id == household_id).order_by(Member.id)).all()


def receive(app, household_id, program_code, level="member"):
    from app.extensions import db
    from models import Family, Member, Program, ProgramMembership

    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == program_code))
        membership = ProgramMembership(program_id=program.id, household_id=household_id)
        if level == "member":
            membership.member_id = db.session.scalar(sa.select(Member.id).where(
                Member.household_id == household_id).order_by(Member.id).limit(1))
        elif level == "family":
            membership.family_id = db.session.scalar(sa.select(Family.id).where(
                Family.household_id == household_id))
        db.session.add(membership)
        db.session.commit()


def test_each_nik_gets_status_decile_programs_and_nothing_personal(app, client, token,
                                                                   make_household):
    household = make_household(BANDUNG_VILLAGE, welfare_decile=2)
    head, spouse = niks_of(app, household)
    receive(app, household, "PBI-JK", level="member")     # the head only
    receive(app, household, "BPNT", level="family")       # everyone in the family
    unknown = "3273010101900999"
    response = client.post(URL, headers=token("admin"), json={"niks": [head, spouse, unknown]})
    assert response.status_code == 200, response.get_json()
    first, second, third = response.get_json()["result"]
    assert set(first) == ANSWER_KEYS
    assert (first["nik"], first["registered"], first["welfare_decile"]) == (head, True, 2)
    assert first["programs"] == ["BPNT", "PBI-JK"]
    assert second["programs"] == ["BPNT"]
    assert first["determined_period"] is None  # not through a period close yet
    assert (third["nik"], third["registered"], third["programs"]) == (unknown, False, [])
    text = response.get_data(as_text=True)
    assert "Budi" not in text and "Jl." not in text and "kk" not in text


def test_malformed_niks_are_reported_per_item_and_the_rest_answered(app, client, token,
                                                                    make_household):
    head = niks_of(app, make_household(BANDUNG_VILLAGE))[0]
    response = client.post(URL, headers=token("admin"), json={
        "niks": ["123", head, "3273013213900001", 3273014105900001, None, "x" * 5000]})
    assert response.status_code == 200, response.get_json()
    answers = response.get_json()["result"]
    assert [answer["valid"] for answer in answers] == [False, True, False, False, False, False]
    assert answers[0]["errors"] == ["NIK harus terdiri dari 16 digit angka."]
    assert "tanggal lahir" in answers[2]["errors"][0]
    assert answers[1]["registered"] is True
    assert len(answers[5]["nik"]) <= 32


@pytest.mark.parametrize("body, status", [
    ({"niks": ["3273014105900001"] * 1001}, 400),
    ({"niks": []}, 400),
    ({"niks": "3273014105900001"}, 400),
    ({"nik": ["3273014105900001"]}, 400),
    (["3273014105900001"], 400),
])
def test_bad_requests_are_refused_whole(client, token, body, status):
    response = client.post(URL, headers=token("admin"), json=body)
    assert response.status_code == status
    assert response.get_json()["message"]


def test_a_thousand_niks_are_answered(client, token):
    niks = [f"32730141059{serial:05d}" for serial in range(1, 1001)]
    response = client.post(URL, headers=token("admin"), json={"niks": niks})
    assert response.status_code == 200
    assert len(response.get_json()["result"]) == 1000


def test_malformed_json_is_a_400(client, token):
    headers = {**token("admin"), "Content-Type": "application/json"}
    response = client.post(URL, headers=headers, data="{niks: [")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["message"]


def test_a_person_outside_the_callers_region_is_not_registered_for_it(app, client, token,
                                                                      make_household):
    bogor = niks_of(app, make_household(BOGOR_VILLAGE))[0]
    answer = client.post(URL, headers=token("operator.bandung"),
                         json={"niks": [bogor]}).get_json()["result"][0]
    assert answer["registered"] is False and answer["programs"] == []
    answer = client.post(URL, headers=token("prov.jabar"), json={"niks": [bogor]}).get_json()
    assert answer["result"][0]["registered"] is True


def test_determined_period_is_the_last_close_that_held_the_household(app, client, token,
                                                                     make_household,
                                                                     fresh_period):  # noqa: F811
    from app import periods

    head = niks_of(app, make_household(BANDUNG_VILLAGE))[0]
    with app.app_context():
        periods.close_period(fresh_period)
    answer = client.post(URL, headers=token("admin"), json={"niks": [head]}).get_json()
    assert answer["result"][0]["determined_period"] == fresh_period


def test_every_request_is_audited_once_with_counts_not_niks(app, client, token, make_household):
    from app.extensions import db
    from models import AuditEntry

    head = niks_of(app, make_household(BANDUNG_VILLAGE))[0]
    client.post(URL, headers=token("interkoneksi"), json={"niks": [head, "1", head]})
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(
            AuditEntry.action == "nik_status_check").order_by(AuditEntry.id.desc()).limit(1))
        assert entry.username == "interkoneksi"
        assert entry.after == {"count": 3, "registered": 2, "malformed": 1}
        assert head not in str(entry.after)


def test_requests_past_the_rate_limit_get_429(app, client, token):
    headers = token("interkoneksi")
    app.config["NIK_CHECK_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [client.post(URL, headers=headers, json={"niks": ["1"]}) for _ in range(4)]
    finally:
        app.config["NIK_CHECK_RATE_LIMIT"] = "60 per minute"
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    other = client.post(URL, headers=token("admin"), json={"niks": ["1"]})
    assert other.status_code == 200  # per user, not per address


def test_anonymous_callers_are_refused(client):
    assert client.post(URL, json={"niks": ["3273014105900001"]}).status_code in (400, 401)
