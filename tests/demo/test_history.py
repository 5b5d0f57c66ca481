"""`flask datakesos demo --history 2` (what `make run` loads): two closed periods before the
open one, proposals in every state, certificates printable from the first start, and a closed
period's recap printed once and kept.

The history needs a database of its own (it closes periods of today's months): a new SQLite file,
or a new PostgreSQL database beside the test database. Its console is asked in a process of its
own (tests/demo/history_probe.py): one process holds one application."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.documents import pdf_text

HOUSEHOLDS = 80
ROOT = Path(__file__).resolve().parents[2]


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
def history_db(history_url):
    from tests.fixtures.periods import engine_for

    engine = engine_for(history_url)
    yield engine
    engine.dispose()


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as connection:
        return connection.execute(sa.text(sql), params).all()


@pytest.fixture(scope="module")
def console(history_url, tmp_path_factory):
    """What the demo users are answered (tests/demo/history_probe.py, run once)."""
    folder = tmp_path_factory.mktemp("probe")
    environment = {**os.environ, "DATABASE_URL": history_url, "PROBE_OUTPUT": str(folder)}
    environment.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("history_probe.py"))],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answers = json.loads((folder / "answers.json").read_text())
    for answer in answers.values():
        if answer.get("file"):
            answer["content"] = Path(answer["file"]).read_bytes()
    return answers


def _month(day: datetime.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_two_periods_are_closed_before_this_months_open_one(history_db):
    today = datetime.date.today()
    periods = _rows(history_db, "SELECT code, status FROM period ORDER BY code")
    assert [tuple(row) for row in periods] == [
        (_month(today, 2), "CLOSED"),
        (_month(today, 1), "CLOSED"),
        (_month(today, 0), "OPEN"),
    ]
    (determined,) = _rows(
        history_db,
        "SELECT count(*) FROM period_snapshot s JOIN period p ON p.id = s.period_id "
        "WHERE p.code = :code",
        code=_month(today, 1),
    )[0]
    assert determined >= HOUSEHOLDS - 10


def test_proposals_in_every_state_made_by_the_demo_users(history_db):
    states = {row[0] for row in _rows(history_db, "SELECT DISTINCT status FROM proposal")}
    assert states == {"DRAFT", "SUBMITTED", "VERIFIED", "REJECTED", "APPLIED"}
    open_states = _rows(
        history_db,
        "SELECT DISTINCT pr.status FROM proposal pr JOIN period p ON p.id = pr.period_id "
        "WHERE p.status = 'OPEN'",
    )
    assert {row[0] for row in open_states} == {"DRAFT", "SUBMITTED", "VERIFIED", "REJECTED"}
    reasons = _rows(history_db, "SELECT rejection_reason FROM proposal WHERE status = 'REJECTED'")
    assert reasons and all(reason for (reason,) in reasons)
    actors = _rows(
        history_db, "SELECT DISTINCT username FROM audit_entry WHERE entity = 'proposal'"
    )
    assert {"operator.bandung", "verifikator.bandung", "operator.bogor"} <= {a for (a,) in actors}


def test_the_demo_has_certificates_to_verify_one_of_them_reprinted(history_db, console):
    rows = _rows(history_db, "SELECT code, reprints FROM certificate ORDER BY id LIMIT 3")
    assert [reprints for _code, reprints in rows] == [0, 1, 0]
    verify = console["verify"]
    assert verify["status"] == 200 and verify["code"] == rows[1].code
    assert "Dinas Sosial Kota Bandung" in verify["text"]


def test_the_operator_prints_a_certificate_on_the_first_start(console):
    answer = console["certificate"]
    assert answer["status"] == 200 and answer["mimetype"] == "application/pdf"
    assert "SURAT KETERANGAN" in pdf_text(answer["content"]).upper()


def test_a_closed_periods_recap_is_printed_once_and_kept(console):
    first, second = console["recap_first"], console["recap_second"]
    assert first["status"] == second["status"] == 200
    assert first["content"] == second["content"]
    assert "Kota Bandung" in pdf_text(first["content"])
    # The job each close queued printed the rest: Kabupaten Bogor too, once.
    assert console["kept"] == {"32.73": 1, "32.01": 1}
    # The open period's recap is printed afresh, for whoever asks.
    assert "oleh prov.jabar" in pdf_text(console["recap_open"]["content"])
