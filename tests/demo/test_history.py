"""`flask datakesos demo --history 2` (what `make run` loads): two closed periods before the
open one, proposals in every state, certificates printable from the first start, and a closed
period's recap printed once and kept.

The history needs a database of its own (it closes periods of today's months): a new SQLite file,
or a new PostgreSQL database beside the test database."""

import datetime

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, TEST_DATABASE_URL, csrf_token
from tests.fixtures.documents import pdf_text

HOUSEHOLDS = 80


@pytest.fixture(scope="module")
def history_url(tmp_path_factory):
    from tests.fixtures.periods import drop_database, flask_command

    if TEST_DATABASE_URL:
        from config import database_url

        url = sa.make_url(database_url(TEST_DATABASE_URL))
        target = url.set(database=f"{url.database}_history")
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
        url = target.render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.db'}"
    for arguments in (
        ("init",),
        ("demo", "--households", str(HOUSEHOLDS), "--history", "2"),
    ):
        process = flask_command(*arguments, database=url)
        output, errors = process.communicate(timeout=600)
        assert process.returncode == 0, output + errors
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def history_app(history_url):
    from app import create_app
    from config import database_url

    application = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(history_url), "TESTING": True}
    )
    yield application
    from app.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _signed_in(app, username):
    client = app.test_client()
    response = client.post(
        "/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/login/"),
        },
    )
    assert response.status_code == 302
    return client


def _month(day: datetime.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_two_periods_are_closed_before_this_months_open_one(history_app):
    from app.extensions import db

    today = datetime.date.today()
    with history_app.app_context():
        periods = db.session.execute(sa.text("SELECT code, status FROM period ORDER BY code"))
        assert [tuple(row) for row in periods] == [
            (_month(today, 2), "CLOSED"),
            (_month(today, 1), "CLOSED"),
            (_month(today, 0), "OPEN"),
        ]
        determined = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM period_snapshot s JOIN period p ON p.id = s.period_id "
                "WHERE p.code = :code"
            ),
            {"code": _month(today, 1)},
        )
        assert determined >= HOUSEHOLDS - 10


def test_proposals_in_every_state_made_by_the_demo_users(history_app):
    from app.extensions import db

    with history_app.app_context():
        states = set(db.session.scalars(sa.text("SELECT DISTINCT status FROM proposal")))
        assert states == {"DRAFT", "SUBMITTED", "VERIFIED", "REJECTED", "APPLIED"}
        open_states = set(
            db.session.scalars(
                sa.text(
                    "SELECT DISTINCT pr.status FROM proposal pr JOIN period p ON "
                    "p.id = pr.period_id WHERE p.status = 'OPEN'"
                )
            )
        )
        assert open_states == {"DRAFT", "SUBMITTED", "VERIFIED", "REJECTED"}
        rejected = db.session.scalar(
            sa.text("SELECT rejection_reason FROM proposal WHERE status = 'REJECTED' LIMIT 1")
        )
        assert rejected
        actors = set(
            db.session.scalars(
                sa.text("SELECT DISTINCT username FROM audit_entry WHERE entity = 'proposal'")
            )
        )
        assert {"operator.bandung", "verifikator.bandung", "operator.bogor"} <= actors


def test_the_operator_prints_a_certificate_on_the_first_start(history_app):
    from app.extensions import db

    with history_app.app_context():
        household_id = db.session.scalar(
            sa.text(
                "SELECT id FROM household WHERE status = 'ACTIVE' AND village_code LIKE "
                "'32.73.%' ORDER BY id DESC LIMIT 1"
            )
        )
    client = _signed_in(history_app, "operator.bandung")
    response = client.get(f"/reports/household/{household_id}/certificate.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert "SURAT KETERANGAN" in pdf_text(response.data).upper()


def test_a_closed_periods_recap_is_printed_once_and_kept(history_app):
    from app import jobs
    from app.extensions import db
    from app.periods import RECAPS_KIND

    last_closed = _month(datetime.date.today(), 1)
    client = _signed_in(history_app, "prov.jabar")
    url = f"/reports/region/32.73/recap.pdf?period={last_closed}"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert "Kota Bandung" in pdf_text(first.data)
    with history_app.app_context():
        kept = sa.text(
            "SELECT count(*) FROM report_file f JOIN period p ON p.id = f.period_id "
            "WHERE f.kind = 'region_recap' AND f.region_code = :code AND p.code = :period"
        )
        assert db.session.scalar(kept, {"code": "32.73", "period": last_closed}) == 1
        # The job each close queued prints the rest: the nation, Jawa Barat, Kabupaten Bogor.
        while jobs.run_next(RECAPS_KIND) is not None:
            pass
        assert db.session.scalar(kept, {"code": "32.01", "period": last_closed}) == 1
        assert db.session.scalar(kept, {"code": "32.73", "period": last_closed}) == 1
    # The open period's recap is printed afresh, for whoever asks.
    open_url = f"/reports/region/32.73/recap.pdf?period={_month(datetime.date.today(), 0)}"
    open_recap = client.get(open_url)
    assert open_recap.status_code == 200
    assert "oleh prov.jabar" in " ".join(pdf_text(open_recap.data).split())


def test_the_demo_has_certificates_to_verify_one_of_them_reprinted(history_app):
    from app.extensions import db

    with history_app.app_context():
        rows = db.session.execute(
            sa.text("SELECT code, reprints FROM certificate ORDER BY id LIMIT 3")
        ).all()
    assert [reprints for _code, reprints in rows] == [0, 1, 0]
    page = history_app.test_client().get(f"/verify/{rows[1].code}")
    assert page.status_code == 200
    assert "Dinas Sosial Kota Bandung" in page.get_data(as_text=True)
