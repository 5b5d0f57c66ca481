"""NIK status check (POST /api/v1/nik-status/) for program systems: registered or not, decile,
programs, determined period — nothing else; malformed NIKs per item; at most 1,000 per request;
rate limited; audited; limited to the caller's region; bounded by a daily quota, and a masked
caller whose answers look like guessing is suspended (app.security.lookups)."""

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE

URL = "/api/v1/nik-status/"
ANSWER_KEYS = {"nik", "valid", "registered", "welfare_decile", "programs", "determined_period"}


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def niks_of(app, household_id):
    from app.extensions import db
    from models import Member

    with app.app_context():
        return db.session.scalars(
            sa.select(Member.nik).where(Member.household_id == household_id).order_by(Member.id)
        ).all()


def receive(app, household_id, program_code, level="member"):
    from app.extensions import db
    from models import Family, Member, Program, ProgramMembership

    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.code == program_code))
        membership = ProgramMembership(program_id=program.id, household_id=household_id)
        if level == "member":
            membership.member_id = db.session.scalar(
                sa.select(Member.id)
                .where(Member.household_id == household_id)
                .order_by(Member.id)
                .limit(1)
            )
        elif level == "family":
            membership.family_id = db.session.scalar(
                sa.select(Family.id).where(Family.household_id == household_id)
            )
        db.session.add(membership)
        db.session.commit()


def test_each_nik_gets_status_decile_programs_and_nothing_personal(
    app, client, token, make_household
):
    household = make_household(BANDUNG_VILLAGE, welfare_decile=2)
    head, spouse = niks_of(app, household)
    receive(app, household, "PBI-JK", level="member")  # the head only
    receive(app, household, "BPNT", level="family")  # everyone in the family
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


def test_malformed_niks_are_reported_per_item_and_the_rest_answered(
    app, client, token, make_household
):
    head = niks_of(app, make_household(BANDUNG_VILLAGE))[0]
    response = client.post(
        URL,
        headers=token("admin"),
        json={"niks": ["123", head, "3273013213900001", 3273014105900001, None, "x" * 5000]},
    )
    assert response.status_code == 200, response.get_json()
    answers = response.get_json()["result"]
    assert [answer["valid"] for answer in answers] == [False, True, False, False, False, False]
    assert answers[0]["errors"] == ["NIK harus terdiri dari 16 digit angka."]
    assert "tanggal lahir" in answers[2]["errors"][0]
    assert answers[1]["registered"] is True
    assert len(answers[5]["nik"]) <= 32


@pytest.mark.parametrize(
    "body, status",
    [
        ({"niks": ["3273014105900001"] * 1001}, 400),
        ({"niks": []}, 400),
        ({"niks": "3273014105900001"}, 400),
        ({"nik": ["3273014105900001"]}, 400),
        (["3273014105900001"], 400),
    ],
)
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


def test_a_person_outside_the_callers_region_is_not_registered_for_it(
    app, client, token, make_household
):
    bogor = niks_of(app, make_household(BOGOR_VILLAGE))[0]
    answer = client.post(URL, headers=token("operator.bandung"), json={"niks": [bogor]}).get_json()[
        "result"
    ][0]
    assert answer["registered"] is False and answer["programs"] == []
    answer = client.post(URL, headers=token("prov.jabar"), json={"niks": [bogor]}).get_json()
    assert answer["result"][0]["registered"] is True


def test_determined_period_is_the_last_close_that_held_the_household(
    app, client, token, make_household, fresh_period
):  # noqa: F811
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
        entry = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "nik_status_check")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
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


# -- bounded (app.security.lookups): a daily quota, the guessing detector for masked roles ---------
def suspended(app, username) -> bool:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).lookup_suspended_at is not None


def test_the_daily_quota_counts_distinct_niks_and_answers_429(app, client, token):
    headers = token("admin")
    niks = [f"32730141059{serial:05d}" for serial in range(1, 201)]
    app.config["NIK_CHECK_DAILY_QUOTA"] = 150
    try:
        first = client.post(URL, headers=headers, json={"niks": niks[:100] * 2})  # 100 distinct
        refused = client.post(URL, headers=headers, json={"niks": niks[100:200]})
        last = client.post(URL, headers=headers, json={"niks": niks[100:150]})
        over = client.post(URL, headers=headers, json={"niks": niks[150:151]})
    finally:
        app.config["NIK_CHECK_DAILY_QUOTA"] = 10_000
    assert first.status_code == 200 and len(first.get_json()["result"]) == 200
    assert refused.status_code == 429
    assert "Jatah 150 pengecekan NIK per 24 jam Anda sudah habis" in refused.get_json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 24 * 3600
    assert last.status_code == 200  # a refused request is not counted
    assert over.status_code == 429
    assert not suspended(app, "admin")  # a full viewer guesses nothing: not watched


def test_full_viewers_checking_unknown_niks_are_not_suspended(app, client, token):
    bogor = [f"32010141059{serial:05d}" for serial in range(1, 301)]
    for username in ("operator.bandung", "admin"):
        response = client.post(URL, headers=token(username), json={"niks": bogor})
        assert response.status_code == 200
        assert not suspended(app, username)


def test_a_masked_caller_is_suspended_once_half_its_answers_are_misses(
    app, client, token, make_household, audit_trail
):
    registered = niks_of(app, make_household(BANDUNG_VILLAGE))
    unknown = [f"32730141059{serial:05d}" for serial in range(1, 10)]
    headers = token("interkoneksi")
    app.config["LOOKUP_GUESSING_MIN_CHECKS"] = 4
    try:
        answers = [
            client.post(URL, headers=headers, json={"niks": niks})
            for niks in (
                [*registered, unknown[0]],  # 3 checked, 1 miss
                [registered[0], unknown[1]],  # 5 checked, 2 misses: under half
                [unknown[2], unknown[3]],  # 7 checked, 4 misses: suspended
                [registered[0]],
            )
        ]
    finally:
        app.config["LOOKUP_GUESSING_MIN_CHECKS"] = 200
    assert [answer.status_code for answer in answers] == [200, 200, 403, 403]
    assert "ditangguhkan" in answers[2].get_json()["message"]
    assert "result" not in answers[2].get_json()  # the answer that tipped it is withheld
    assert suspended(app, "interkoneksi")
    ((username, _entity, details),) = audit_trail("lookup_suspended")
    assert (username, details) == (
        "interkoneksi",
        {"checked": 7, "not_registered": 4, "window_hours": 24},
    )
    refused = audit_trail("lookup_refused")
    assert [entry[2]["reason"] for entry in refused] == ["suspended"]
