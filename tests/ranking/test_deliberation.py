"""Village deliberations (musyawarah desa): an Operator records the session of a village of their
regency with its minutes (a real PDF, kept with its SHA-256), proposes the households it moves to
another decile with reasons, at most the configured share of the village; the Verifikator
verifies each override as any proposal; the close gives the household the deliberation's decile
and keeps the model's beside it; the audit trail holds the session and every override; those who
read a region read its sessions and minutes and change nothing.

The console serves Indonesian but the new messages are not translated yet: these tests assert on
status codes, stored rows and the data a user typed or sees (codes, register IDs, deciles)."""

import datetime
import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, form_defaults, session_csrf, signed_in

OPERATOR, VERIFIER = "operator.bandung", "verifikator.bandung"
PARTICIPANTS = "Kepala Desa Sukamaju\nPendamping PKH Ibu Rina\nKetua RT 02"
REASON = "Kepala rumah tangga meninggal; istri tidak bekerja dan menanggung tiga anak."


@pytest.fixture(scope="module")
def minutes_pdf():
    from weasyprint import HTML

    return HTML(string="<h1>Berita acara</h1><p>Musyawarah desa Sukamaju</p>").write_pdf()


def _period_starts(app, code, start_date) -> None:
    from app.extensions import db
    from models import Period

    with app.app_context():
        db.session.execute(
            sa.update(Period).where(Period.code == code).values(start_date=start_date)
        )
        db.session.commit()


@pytest.fixture()
def deliberation_period(app, fresh_period):
    """The tests' open period (2091-01), begun a month ago: a session is held within the open
    period and never in the future. (A close opens the month after the period's start: a test
    that closes it gives it back its own start first.)"""
    _period_starts(app, fresh_period, datetime.date.today() - datetime.timedelta(days=30))
    return fresh_period


def _sessions(app, village=None) -> list:
    from app.extensions import db
    from models import Deliberation

    with app.app_context():
        query = sa.select(Deliberation).order_by(Deliberation.id)
        if village:
            query = query.where(Deliberation.village_code == village)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def _overrides(app, household_id=None) -> list:
    from app.extensions import db
    from models import Proposal
    from models.enums import ProposalKind

    with app.app_context():
        query = (
            sa.select(Proposal)
            .where(Proposal.kind == ProposalKind.DECILE_OVERRIDE)
            .order_by(Proposal.id)
        )
        if household_id is not None:
            query = query.where(Proposal.household_id == household_id)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def _record(client, village=BANDUNG_VILLAGE, pdf=None, filename="berita-acara.pdf", **fields):
    data = {
        **form_defaults(client, "/deliberations/add"),
        "village_code": village,
        "held_on": datetime.date.today().isoformat(),
        "participants": PARTICIPANTS,
        **fields,
    }
    if pdf is not None:
        data["minutes"] = (io.BytesIO(pdf), filename)
    return client.post("/deliberations/add", data=data, content_type="multipart/form-data")


def _session_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/deliberations/show/(\d+)", response.headers["Location"]).group(1))


def _propose(client, session_id, household, decile, reason=REASON):
    return client.post(
        f"/deliberations/override/{session_id}",
        data={
            "csrf_token": session_csrf(client),
            "household": household,
            "decile": str(decile),
            "reason": reason,
        },
    )


def _register_id(app, household_id) -> str:
    from app.extensions import db
    from models import Household

    with app.app_context():
        return db.session.get(Household, household_id).register_id


def test_an_operator_records_a_session_with_its_minutes(
    app, deliberation_period, minutes_pdf, audit_trail
):
    operator = signed_in(app, OPERATOR)
    assert operator.get("/deliberations/add").status_code == 200
    session_id = _session_id(_record(operator, pdf=minutes_pdf, filename="BA Sukamaju.pdf"))

    (session,) = _sessions(app)
    assert session.id == session_id
    assert session.village_code == BANDUNG_VILLAGE
    assert session.held_on == datetime.date.today()
    assert session.participants == PARTICIPANTS
    assert session.minutes_pdf == minutes_pdf
    assert session.minutes_sha256 == hashlib.sha256(minutes_pdf).hexdigest()
    assert session.minutes_filename == "BA Sukamaju.pdf"

    page = operator.get(f"/deliberations/show/{session_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert BANDUNG_VILLAGE in html and session.minutes_sha256 in html
    assert f"/deliberations/minutes/{session_id}" in html
    assert 'id="override-form"' in html  # the Operator may propose overrides
    listing = operator.get("/deliberations/list/").get_data(as_text=True)
    assert f"/deliberations/show/{session_id}" in listing

    # The minutes come back as the very file, as a download, to those who read the session.
    verifier = signed_in(app, VERIFIER)
    download = verifier.get(f"/deliberations/minutes/{session_id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.get_data() == minutes_pdf

    created = [after for user, entity, after in audit_trail("create") if entity == "deliberation"]
    assert [after["minutes_sha256"] for after in created] == [session.minutes_sha256]
    assert [user for user, entity, _ in audit_trail("create") if entity == "deliberation"] == [
        OPERATOR
    ]
    assert any(entity == "deliberation" for _, entity, _ in audit_trail("report_downloaded"))

    # One session per village and period: a second one is refused and nothing more is stored.
    again = _record(operator, pdf=minutes_pdf)
    assert again.status_code == 409
    assert len(_sessions(app)) == 1


def test_a_session_without_minutes_is_recorded_and_has_no_download(app, deliberation_period):
    operator = signed_in(app, OPERATOR)
    session_id = _session_id(_record(operator))
    (session,) = _sessions(app)
    assert session.minutes_pdf is None and session.minutes_sha256 is None
    assert operator.get(f"/deliberations/minutes/{session_id}").status_code == 404


@pytest.mark.parametrize(
    "upload, filename",
    [
        (b"Berita acara musyawarah desa, bukan PDF", "berita-acara.pdf"),
        (b"%PDF-1.7\n% rusak: no objects, no pages\n%%EOF\n", "rusak.pdf"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_and_nothing_stored(
    app, deliberation_period, upload, filename
):
    operator = signed_in(app, OPERATOR)
    response = _record(operator, pdf=upload, filename=filename)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # What was typed is kept: the village chosen and the participants.
    assert BANDUNG_VILLAGE in html and "Kepala Desa Sukamaju" in html
    assert "bukan PDF yang dapat dibaca" in html
    assert _sessions(app) == []


def test_minutes_larger_than_allowed_are_refused(app, deliberation_period, minutes_pdf):
    operator = signed_in(app, OPERATOR)
    limit = app.config["DELIBERATION_MINUTES_MAX_BYTES"]
    app.config["DELIBERATION_MINUTES_MAX_BYTES"] = len(minutes_pdf) - 1
    try:
        assert _record(operator, pdf=minutes_pdf).status_code == 400
    finally:
        app.config["DELIBERATION_MINUTES_MAX_BYTES"] = limit
    assert _sessions(app) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"held_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()},
        {"held_on": (datetime.date.today() - datetime.timedelta(days=45)).isoformat()},
        {"held_on": "kemarin"},
        {"participants": "   "},
        {"village_code": "32.73.01"},  # a district, not a village
    ],
)
def test_a_session_with_bad_details_is_refused_with_what_was_typed_kept(
    app, deliberation_period, fields
):
    operator = signed_in(app, OPERATOR)
    response = _record(operator, **fields)
    assert response.status_code == 400
    assert "Kepala Desa Sukamaju" in response.get_data(as_text=True) or "participants" in fields
    assert _sessions(app) == []


def test_a_session_outside_the_operators_regency_is_refused(app, deliberation_period, minutes_pdf):
    bandung = signed_in(app, OPERATOR)
    response = _record(bandung, village=BOGOR_VILLAGE, pdf=minutes_pdf)
    assert response.status_code == 403
    assert _sessions(app) == []

    # Bogor's own session does not exist for Bandung: neither its page nor its minutes.
    bogor = signed_in(app, "operator.bogor")
    session_id = _session_id(_record(bogor, village=BOGOR_VILLAGE, pdf=minutes_pdf))
    for url in (
        f"/deliberations/show/{session_id}",
        f"/deliberations/minutes/{session_id}",
    ):
        assert bandung.get(url).status_code == 404, url
    assert f"/deliberations/show/{session_id}" not in bandung.get("/deliberations/list/").get_data(
        as_text=True
    )
    assert _propose(bandung, session_id, "1", 1).status_code == 404
    assert _overrides(app) == []


def test_overrides_beyond_the_cap_are_refused_with_nothing_stored(
    app, deliberation_period, make_household
):
    from app.extensions import db
    from models import Household
    from models.enums import HouseholdStatus

    households = [make_household() for _ in range(12)]
    with app.app_context():
        active = db.session.scalar(
            sa.select(sa.func.count()).where(
                Household.village_code == BANDUNG_VILLAGE,
                Household.status == HouseholdStatus.ACTIVE,
            )
        )
    # Other tests' households live in the village too: a cap that allows exactly one.
    cap = app.config["DELIBERATION_OVERRIDE_CAP"]
    app.config["DELIBERATION_OVERRIDE_CAP"] = 1.5 / active
    try:
        _over_the_cap(app, households)
    finally:
        app.config["DELIBERATION_OVERRIDE_CAP"] = cap


def _over_the_cap(app, households):
    operator = signed_in(app, OPERATOR)
    session_id = _session_id(_record(operator))

    first = _propose(operator, session_id, _register_id(app, households[0]), 5)
    assert first.status_code == 303
    assert [override.decile for override in _overrides(app)] == [5]

    typed = "Rumah semi permanen; penghasilan harian tidak tetap menurut ketua RT."
    refused = _propose(operator, session_id, _register_id(app, households[1]), 1, typed)
    assert refused.status_code == 400
    assert typed in refused.get_data(as_text=True)  # what was typed is kept
    assert "paling banyak dapat mengubah desil 1 rumah tangga" in refused.get_data(as_text=True)
    assert _overrides(app, households[1]) == []
    assert len(_overrides(app)) == 1

    # A rejected override frees its place under the cap.
    from app.extensions import db
    from models import Proposal
    from models.enums import ProposalStatus

    with app.app_context():
        db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id == _overrides(app)[0].id)
            .values(status=ProposalStatus.REJECTED, rejection_reason="Tidak sesuai survei")
        )
        db.session.commit()
    assert _propose(operator, session_id, _register_id(app, households[1]), 1).status_code == 303


def test_an_override_names_a_household_of_the_village_a_new_decile_and_a_reason(
    app, deliberation_period, make_household
):
    from app.extensions import db
    from models import Region

    with app.app_context():
        neighbour = db.session.scalar(
            sa.select(Region.code)
            .where(
                Region.level == 4,
                Region.code.startswith("32.73."),
                Region.code != BANDUNG_VILLAGE,
            )
            .order_by(Region.code)
            .limit(1)
        )
    households = [make_household() for _ in range(20)]  # cap 2
    elsewhere = make_household(neighbour)
    bogor = make_household(BOGOR_VILLAGE)
    operator = signed_in(app, OPERATOR)
    session_id = _session_id(_record(operator))
    register_id = _register_id(app, households[0])

    refused = {
        "unknown household": ("31719999999999", 4, REASON),
        "another village": (_register_id(app, elsewhere), 4, REASON),
        "another regency": (_register_id(app, bogor), 4, REASON),
        "the decile it has": (register_id, 2, REASON),  # make_household's decile
        "no decile": (register_id, "", REASON),
        "a decile out of range": (register_id, 11, REASON),
        "a reason too short": (register_id, 4, "miskin"),
    }
    for case, (household, decile, reason) in refused.items():
        response = _propose(operator, session_id, household, decile, reason)
        assert response.status_code in (400, 404), (case, response.status_code)
    assert _overrides(app) == []

    # By its number in the console as well as by register ID; one pending override a household.
    assert _propose(operator, session_id, str(households[0]), 4).status_code == 303
    assert _propose(operator, session_id, register_id, 6).status_code == 409
    (override,) = _overrides(app)
    assert (override.household_id, override.decile, override.note) == (households[0], 4, REASON)


def _model_deciles(app, period_code) -> dict[int, int]:
    """The deciles the active model gives the register now, as the close will rank it."""
    from app.extensions import db
    from app.ranking import close_steps, scoring
    from models import Household, Period
    from models.enums import HouseholdStatus

    with app.app_context():
        period = db.session.scalar(sa.select(Period).where(Period.code == period_code))
        ranking = close_steps.ranking_for(db.session.connection())
        ranked = scoring.ranked(
            ranking.spec,
            period.end_date,
            Household.status == HouseholdStatus.ACTIVE,
            ranking.by_province,
        )
        return dict(db.session.execute(sa.select(ranked.c.household_id, ranked.c.decile)).all())


def test_a_verified_override_gives_the_household_the_deliberation_decile_at_the_close(
    app, deliberation_period, make_household, minutes_pdf, audit_trail
):
    from app import periods
    from app.extensions import db
    from models import Household, Period, PeriodSnapshot, Proposal
    from models.enums import ProposalStatus

    households = [make_household() for _ in range(12)]
    moved, kept = households[3], households[4]
    model = _model_deciles(app, deliberation_period)
    decile = next(d for d in (9, 8, 7) if d not in (model[moved], 2))

    operator = signed_in(app, OPERATOR)
    session_id = _session_id(_record(operator, pdf=minutes_pdf))
    response = _propose(operator, session_id, _register_id(app, moved), decile)
    assert response.status_code == 303
    (override,) = _overrides(app)
    assert override.status == ProposalStatus.SUBMITTED  # straight to the verifier's queue
    assert override.deliberation_id == session_id and override.note == REASON
    page = operator.get(f"/deliberations/show/{session_id}").get_data(as_text=True)
    assert _register_id(app, moved) in page and f"/proposals/show/{override.id}" in page

    # The Verifikator sees the override on the proposal's page and verifies it there.
    verifier = signed_in(app, VERIFIER)
    proposal_page = verifier.get(f"/proposals/show/{override.id}")
    assert proposal_page.status_code == 200
    html = proposal_page.get_data(as_text=True)
    assert f"/deliberations/show/{session_id}" in html and REASON in html
    assert re.search(rf"<strong>{decile}</strong>", html)
    verified = verifier.post(
        f"/proposals/verify/{override.id}",
        data=form_defaults(verifier, f"/proposals/show/{override.id}"),
    )
    assert verified.status_code == 302
    assert _overrides(app)[0].status == ProposalStatus.VERIFIED

    _period_starts(app, deliberation_period, datetime.date(2091, 1, 1))
    with app.app_context():
        assert periods.close_period(deliberation_period).closed
        period_id = db.session.scalar(
            sa.select(Period.id).where(Period.code == deliberation_period)
        )
        snapshot = {
            row.household_id: row
            for row in db.session.scalars(
                sa.select(PeriodSnapshot).where(PeriodSnapshot.period_id == period_id)
            )
        }
        assert snapshot[moved].welfare_decile == decile
        assert snapshot[moved].model_decile == model[moved]
        assert snapshot[kept].welfare_decile == snapshot[kept].model_decile == model[kept]
        assert db.session.get(Household, moved).welfare_decile == decile
        applied = db.session.get(Proposal, override.id)
        assert (applied.status, applied.applied_period_id) == (ProposalStatus.APPLIED, period_id)

    # The household's page says the decile is the deliberation's and shows the model's.
    household_page = operator.get(f"/households/show/{moved}").get_data(as_text=True)
    assert f"Desil {decile} pada periode {deliberation_period}" in household_page
    assert f"desil hasil musyawarah; desil model {model[moved]}" in household_page

    # The trail: the session and the override by the Operator, the verification by the
    # Verifikator, the application by the close.
    created = [(user, entity, after) for user, entity, after in audit_trail("create")]
    assert any(user == OPERATOR and entity == "deliberation" for user, entity, _ in created)
    assert any(
        user == OPERATOR
        and entity == "proposal"
        and after.get("kind") == "DECILE_OVERRIDE"
        and after.get("decile") == decile
        and after.get("deliberation_id") == session_id
        for user, entity, after in created
    )
    assert any(
        user == VERIFIER and entity == "proposal" and (after or {}).get("status") == "VERIFIED"
        for user, entity, after in audit_trail("update")
    )
    assert any(entity == "proposal" for _, entity, _ in audit_trail("apply"))

    # Once its period is closed, the session takes no more overrides.
    assert 'id="override-form"' not in operator.get(f"/deliberations/show/{session_id}").get_data(
        as_text=True
    )
    late = _propose(operator, session_id, _register_id(app, kept), 9)
    assert late.status_code == 409
    assert len(_overrides(app)) == 1


@pytest.mark.parametrize("reader", ["pengawas", "prov.jabar", VERIFIER])
def test_readers_see_sessions_and_minutes_and_change_nothing(
    app, deliberation_period, make_household, minutes_pdf, reader
):
    households = [make_household() for _ in range(10)]
    operator = signed_in(app, OPERATOR)
    session_id = _session_id(_record(operator, pdf=minutes_pdf))

    client = signed_in(app, reader)
    assert client.get("/deliberations/list/").status_code == 200
    page = client.get(f"/deliberations/show/{session_id}")
    assert page.status_code == 200
    assert 'id="override-form"' not in page.get_data(as_text=True)
    assert client.get(f"/deliberations/minutes/{session_id}").get_data() == minutes_pdf

    assert client.get("/deliberations/add").status_code in (302, 403)
    csrf = {"csrf_token": session_csrf(client)}
    response = client.post(
        "/deliberations/add",
        data={
            **csrf,
            "village_code": "32.73.01.1002",
            "held_on": datetime.date.today().isoformat(),
            "participants": PARTICIPANTS,
        },
    )
    assert response.status_code in (302, 403)
    response = client.post(
        f"/deliberations/override/{session_id}",
        data={**csrf, "household": str(households[0]), "decile": "7", "reason": REASON},
    )
    assert response.status_code in (302, 403)
    assert len(_sessions(app)) == 1
    assert _overrides(app) == []
