"""Exports give back what they hold (issue 13, finding 11): however a download ends — read to
the end, dropped by the client mid-file or before its first byte, or broken by a failure on the
server — its connection goes back to the pool with no transaction, cursor or lock left; and one
user runs at most EXPORT_MAX_CONCURRENT exports at once, across worker processes, so that no
exporting role can take the console down.

Each assertion on the pool is made while the response is still referenced: a connection that
only the garbage collector would give back (the original defect) counts as held."""

import contextlib
import contextvars
import gc
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from tests.conftest import ROOT, signed_in

HOUSEHOLDS = 2500  # Kota Bandung gets 1,500: CSV in 3 chunks or more, XLSX in 2 (64 KiB)
REFUSAL = "Anda sudah menjalankan 2 ekspor sekaligus, batas untuk satu pengguna"


# -- clients and downloads ------------------------------------------------------------------------


class OpenDownload:
    """A download that has sent its first chunk and is still open, as a slow browser's is.

    Its body runs in a context of its own: a suspended streamed body keeps Flask's request and
    application contexts pushed in whatever context iterates it, and a test client would then
    run the next request inside them (another user's `g`). A real server runs each download in a
    worker or thread of its own; this is the same separation."""

    def __init__(self, client, url: str):
        self.context = contextvars.copy_context()
        self.response = self.context.run(client.get, url, buffered=False)
        assert self.response.status_code == 200, self.response.status_code
        self.body = self.context.run(iter, self.response.response)
        self.received = [self.context.run(next, self.body)]

    def read(self, chunks: int = 1) -> "OpenDownload":
        for _ in range(chunks):
            self.received.append(self.context.run(next, self.body))
        return self

    def finish(self) -> bytes:
        self.received.extend(self.context.run(list, self.body))
        self.close()
        return b"".join(self.received)

    def close(self) -> None:
        self.context.run(self.response.close)


def abandoned_before_first_chunk(app, client, url: str):
    """Ask for an export and close the response without reading any of it, as a server does
    whose client went away before the first byte was sent (the test client always reads one
    chunk itself, so this speaks WSGI directly)."""
    cookie = client.get_cookie("session")
    environ = EnvironBuilder(path=url, headers={"Cookie": f"session={cookie.value}"}).get_environ()
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["200 OK"], statuses
    return body


# -- what the database holds --------------------------------------------------------------------
@pytest.fixture()
def engine(app):
    from app.extensions import db

    with app.app_context():
        return db.engine


def postgresql_sessions(engine) -> dict:
    """Other sessions of this database, by state, and the export slot locks held in it."""
    if engine.dialect.name != "postgresql":
        return {}
    from app.exports.slots import SLOT_LOCK_CLASS

    with engine.connect() as connection:
        states = dict(
            connection.execute(
                sa.text(
                    "SELECT coalesce(state, '?'), count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1"
                )
            ).all()
        )
        states["slot locks"] = connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
                "AND classid BETWEEN :first AND :first + 99"
            ),
            {"first": SLOT_LOCK_CLASS},
        )
    return states


def assert_nothing_held(engine) -> None:
    assert engine.pool.checkedout() == 0
    sessions = postgresql_sessions(engine)
    assert not sessions.get("idle in transaction"), sessions
    assert not sessions.get("idle in transaction (aborted)"), sessions
    assert not sessions.get("slot locks"), sessions


def export_audits(app) -> int:
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        return db.session.query(AuditEntry).filter_by(action="export").count()


@pytest.fixture()
def large_register(app):
    from app import demo

    with app.app_context():
        assert demo.generate(HOUSEHOLDS, seed=1311).households == HOUSEHOLDS


def answers_quickly(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    assert elapsed < 5, (url, elapsed)  # the pool's timeout, had it run dry, is 30 s
    return elapsed


@contextlib.contextmanager
def garbage_collector_off():
    """A connection that only the cycle collector would give back stays held meanwhile."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_one_export(app, client, number: int, modes: dict) -> None:
    """Export number `number` of the 200: every fourth an XLSX; one in ten dropped before its
    first byte, one in three of the others mid-download, the rest read to the end."""
    url = f"/households/export/{'xlsx' if number % 4 == 3 else 'csv'}"
    if number % 10 == 5:
        abandoned_before_first_chunk(app, client, url).close()
        modes["dropped before the first byte"] += 1
    elif number % 3 == 0:
        download = OpenDownload(client, url)
        if url.endswith("csv"):
            download.read()  # the header, then a first batch of rows: the cursor is open
        download.close()
        modes["dropped mid-download"] += 1
    else:
        download = OpenDownload(client, url)
        body = download.finish()
        assert len(download.received) >= (3 if url.endswith("csv") else 2)
        assert body.startswith(b"\xef\xbb\xbf" if url.endswith("csv") else b"PK")
        modes["read"] += 1


# -- 200 exports ----------------------------------------------------------------------------------
def test_200_exports_some_aborted_leave_the_pool_as_it_was(app, engine, large_register):
    """Two clients, 200 CSV and XLSX exports, one in three dropped mid-download and one in ten
    before its first byte: afterwards the pool and the database are as before, every export is
    audited once, and the console answers at once."""
    clients = [signed_in(app, "admin"), signed_in(app, "operator.bandung")]
    assert_nothing_held(engine)
    before = postgresql_sessions(engine)
    audits = export_audits(app)
    started = time.perf_counter()
    modes = {"read": 0, "dropped mid-download": 0, "dropped before the first byte": 0}
    with garbage_collector_off():
        for number in range(200):
            run_one_export(app, clients[number % 2], number, modes)
            assert engine.pool.checkedout() == 0, number  # its response is still referenced
    elapsed = time.perf_counter() - started
    after = postgresql_sessions(engine)
    print(
        f"\n200 exports {modes} in {elapsed:.1f} s; pool checked out: "
        f"{engine.pool.checkedout()}; PostgreSQL sessions before {before} after {after}"
    )
    assert_nothing_held(engine)
    assert export_audits(app) == audits + 200
    login_page = answers_quickly(app.test_client(), "/login/")
    list_page = answers_quickly(clients[0], "/households/list/")
    print(f"then /login/ in {login_page:.3f} s, /households/list/ in {list_page:.3f} s")


def test_a_download_holds_its_own_connection_and_nothing_else(app, engine, large_register):
    """While a download is open, exactly one connection is out: the export's own (the request's
    session holds none), on PostgreSQL in one transaction holding one slot lock."""
    client = signed_in(app, "admin")
    download = OpenDownload(client, "/households/export/csv").read()
    try:
        assert engine.pool.checkedout() == 1
        sessions = postgresql_sessions(engine)
        if sessions:
            assert sessions.get("idle in transaction") == 1, sessions
            assert sessions["slot locks"] == 1, sessions
    finally:
        download.close()
    assert_nothing_held(engine)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_failure_mid_file_releases_everything(
    app, engine, large_register, monkeypatch, tmp_path, fmt
):
    """A row that cannot be written breaks the download (the client sees an incomplete
    transfer, never a file that looks whole), and still gives back the connection, the
    transaction, the slot and the XLSX's temporary folder."""
    from app import exports

    client = signed_in(app, "admin")
    monkeypatch.setitem(app.config, "EXPORT_MAX_CONCURRENT", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the XLSX is built
    written = []
    row_values = exports.row_values

    def failing(item, columns, labels):
        if len(written) == 1500:
            raise RuntimeError("a row that cannot be written")
        written.append(1)
        return row_values(item, columns, labels)

    monkeypatch.setattr(exports, "row_values", failing)
    context = contextvars.copy_context()
    with pytest.raises(RuntimeError, match="cannot be written"):
        response = context.run(client.get, f"/households/export/{fmt}", buffered=False)
        context.run(list, response.response)
    assert len(written) == 1500
    assert_nothing_held(engine)
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(exports, "row_values", row_values)
    assert OpenDownload(client, f"/households/export/{fmt}").finish()  # the slot is free


def test_a_response_dropped_before_its_first_byte_frees_its_slot(
    app, engine, large_register, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPORT_MAX_CONCURRENT", 1)
    client = signed_in(app, "operator.bandung")
    body = abandoned_before_first_chunk(app, client, "/households/export/xlsx")
    assert engine.pool.checkedout() == 1  # accepted: its connection and slot are taken
    refused = client.get("/households/export/csv")
    assert refused.status_code == 302
    body.close()
    assert_nothing_held(engine)
    assert OpenDownload(client, "/households/export/csv").finish()


# -- at most EXPORT_MAX_CONCURRENT at once ---------------------------------------------------------
def test_a_user_runs_at_most_two_exports_at_once(app, engine, large_register):
    operator = signed_in(app, "operator.bandung")
    other = signed_in(app, "operator.bogor")
    audits = export_audits(app)
    first = OpenDownload(operator, "/households/export/csv")
    second = OpenDownload(operator, "/members/export/xlsx")
    downloads = [first, second]
    try:
        refused = operator.get("/households/export/csv?_flt_0_welfare_decile=5")
        assert refused.status_code == 302  # refused at once, nothing waits
        assert "/households/list/" in refused.headers["Location"]
        assert "_flt_0_welfare_decile=5" in refused.headers["Location"]  # back to its search
        html = operator.get(refused.headers["Location"]).get_data(as_text=True)
        assert REFUSAL in html and "Tunggu sampai salah satunya selesai diunduh" in html
        assert export_audits(app) == audits + 2  # the refused one exported nothing
        assert engine.pool.checkedout() == 2  # the refusal holds nothing

        # Another user is not affected.
        downloads.append(OpenDownload(other, "/households/export/csv"))
        assert engine.pool.checkedout() == 3

        # A finished download frees its slot.
        first.finish()
        third = OpenDownload(operator, "/households/export/csv?_flt_0_welfare_decile=5")
        downloads.append(third)
        assert third.finish().startswith(b"\xef\xbb\xbf")
    finally:
        for download in downloads:
            download.close()
    assert_nothing_held(engine)
    assert export_audits(app) == audits + 4


HOLD_A_SLOT = textwrap.dedent("""
    import sys, time
    import sqlalchemy as sa
    from app.exports import slots as export_slots
    from config import database_url

    engine = sa.create_engine(database_url(sys.argv[1]))
    user_id, limit = int(sys.argv[2]), int(sys.argv[3])
    # One connection per slot, as exports have (a PostgreSQL session may take its own lock again).
    connections = [engine.connect() for _ in range(limit)]
    held = [export_slots.take(connection, user_id, limit) for connection in connections]
    print("holding", flush=True)
    time.sleep(60)
""")


def test_the_limit_holds_across_processes_and_dies_with_them(app, engine, large_register):
    """Another worker process holding both of a user's slots refuses the user's export here;
    when that process is killed (no clean-up of its own), the slots are free at once."""
    from tests.conftest import database_url

    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username="operator.bandung").id
    worker = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_SLOT, database_url(), str(user_id), "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "holding"
        operator = signed_in(app, "operator.bandung")
        refused = operator.get("/households/export/csv", follow_redirects=True)
        assert REFUSAL in refused.get_data(as_text=True)
        assert OpenDownload(signed_in(app, "operator.bogor"), "/households/export/csv").finish()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    for _ in range(50):  # PostgreSQL ends the dead client's session within moments
        if not postgresql_sessions(engine).get("slot locks"):
            break
        time.sleep(0.1)
    assert OpenDownload(operator, "/households/export/csv").finish().startswith(b"\xef\xbb\xbf")
    assert_nothing_held(engine)


def test_no_limit_when_the_setting_is_zero(app, engine, large_register, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_MAX_CONCURRENT", 0)
    client = signed_in(app, "admin")
    downloads = [OpenDownload(client, "/households/export/csv") for _ in range(3)]
    assert engine.pool.checkedout() == 3
    for download in downloads:
        download.close()
    assert_nothing_held(engine)
