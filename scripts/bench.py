#!/usr/bin/env python3
"""Benchmarks of Datakesos on PostgreSQL, as a list of measured figures.

    .venv/bin/python scripts/bench.py --households 100000 [--database-url URL] [--output bench.json]
        [--markdown table.md] [--compare earlier.json] [--only figure,figure]

Without --database-url a throwaway database (and role) is created on the local server, as
scripts/test_postgres.sh does, and dropped at the end (--keep keeps it and prints its URL). With
--database-url that database is used and data are only added when missing (through COPY,
app/demo/bulk.py), so a second run reuses them; build N1M once with
`flask datakesos demo --households 1000000`.

Each figure has a value, a baseline measured in the same run and their ratio (value / baseline),
and the goal it is held to (met? in the table). Baselines: the raw SQL of the same work on a
plain DBAPI connection (list page, NIK lookup, household page, form save, period close), a
default Flask-AppBuilder ModelView built here (list page, add/edit forms), or the same feature
switched off (count estimate, dashboard reuse). Pages are requested through the Flask test
client as a signed-in user; HTTP throughput through gunicorn with 2 sync workers and keep-alive
clients on loopback. --compare FILE adds the list page's time against an earlier run at another
size; --only runs some figures and merges them into an existing --output.

Add a figure by writing a function decorated with `@figure` that takes the Bench and returns a
list of Figure; figures run in the order written.

The period close (`period_close…`) is measured at --households N beside the bare SQL statements
it needs (app.periods.statements: the same statements, run one after the other on a plain
connection without the lock, checks, progress and audit entries, then rolled back).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import getpass
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Shares of the register's activity in a period (DESIGN §1, November 2018): 7.26 % of
#: households corrected, 443,022 new proposals for 27 M households (1.6 %).
CORRECTED_EVERY = 14  # one household in 14 ≈ 7.1 %
PROPOSED_EVERY = 61   # one in 61 ≈ 1.6 %


@dataclass
class Figure:
    name: str
    value: float
    baseline: float | None
    unit: str = "s"
    description: str = ""
    details: dict = field(default_factory=dict)
    #: Goals as (what, at most / at least, number): what is "value" or "ratio".
    goals: list = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return round(self.value / self.baseline, 3)

    @property
    def goal(self) -> str:
        units = {"ratio": "×", "value": " " + self.unit}
        return "; ".join(f"{what} {op} {number:g}{units.get(what, '')}"
                         for what, op, number in self.goals)

    @property
    def met(self) -> bool | None:
        if not self.goals:
            return None
        for what, op, number in self.goals:
            measured = {"ratio": self.ratio, "value": self.value}.get(what, self.details.get(what))
            if measured is None:
                return None
            if (op == "<=" and measured > number) or (op == ">=" and measured < number):
                return False
        return True

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "goal": self.goal, "met": self.met}


@dataclass
class Bench:
    app: object
    households: int
    seed: int
    database: str
    #: Figures of an earlier run (--compare FILE), by name.
    previous: dict = field(default_factory=dict)
    previous_households: int | None = None


FIGURES: list[Callable[[Bench], list[Figure]]] = []


@contextlib.contextmanager
def _config(app, **values):
    """Set app.config keys for the block and put their earlier values back after it; yields
    the earlier values (config.py's defaults or the environment's)."""
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield saved
    finally:
        app.config.update(saved)


def figure(function: Callable[[Bench], list[Figure]]):
    FIGURES.append(function)
    return function


# -- a throwaway database -----------------------------------------------------------------------
def _as_postgres(*command: str) -> str:
    """A command as the postgres OS user, over the local socket (peer authentication)."""
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
    elif getpass.getuser() == "postgres":
        prefix = []
    else:
        prefix = ["sudo", "-u", "postgres"]
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True,
                          cwd="/").stdout


def create_database() -> tuple[str, str]:
    name = f"datakesos_bench_{datetime.datetime.now():%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    password = secrets.token_hex(16)
    port = os.environ.get("PGPORT", "5432")
    psql = ("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p", port, "-d", "postgres", "-c")
    _as_postgres(*psql, f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    _as_postgres(*psql, f"CREATE DATABASE \"{name}\" OWNER \"{name}\" ENCODING 'UTF8' "
                        f"TEMPLATE template0")
    return name, f"postgresql://{name}:{password}@127.0.0.1:{port}/{name}"


def drop_database(name: str) -> None:
    port = os.environ.get("PGPORT", "5432")
    psql = ("psql", "-X", "-q", "-p", port, "-d", "postgres", "-c")
    _as_postgres(*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _as_postgres(*psql, f'DROP ROLE IF EXISTS "{name}"')


# -- data ---------------------------------------------------------------------------------------
def prepare(bench: Bench) -> None:
    """Regions, users, N demo households, and a period's worth of corrections and verified
    new-household proposals (set-based, like everything measured here)."""
    import sqlalchemy as sa

    from app import demo
    from app.bootstrap import initialise
    from app.extensions import db
    from app.register.reference import ensure_open_period
    from models import Household

    started = time.perf_counter()
    initialise()
    demo.create_demo_users()
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Household))
    if have < bench.households:
        from app.demo import bulk as demo_copy

        print(f"generating {bench.households - have:,} demo households (COPY) …", flush=True)
        result = demo_copy.generate_bulk(bench.households - have, seed=bench.seed + have)
        print(f"  {result.households:,} households, {result.members:,} members in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    period = ensure_open_period()
    connection = db.session.connection()
    operator = connection.scalar(sa.text("SELECT id FROM ab_user WHERE username = 'operator.bandung'"))
    verifier = connection.scalar(sa.text(
        "SELECT id FROM ab_user WHERE username = 'verifikator.bandung'"))
    if not connection.scalar(sa.text("SELECT count(*) FROM proposal WHERE period_id = :p"),
                             {"p": period.id}):
        now = datetime.datetime.now()
        connection.execute(sa.text(
            "INSERT INTO audit_entry (at, user_id, username, ip_address, action, entity, "
            "entity_id, region_code) SELECT :at, :user, 'operator.bandung', '127.0.0.1', "
            "'update', 'household', CAST(id AS VARCHAR), village_code FROM household "
            "WHERE status = 'ACTIVE' AND id % :every = 0"),
            {"at": now, "user": operator, "every": CORRECTED_EVERY})
        connection.execute(sa.text(
            "UPDATE household SET status = 'PROPOSED' WHERE status = 'ACTIVE' AND id % :every = 0"),
            {"every": PROPOSED_EVERY})
        connection.execute(sa.text(
            "UPDATE member SET status = 'PROPOSED' WHERE household_id IN "
            "(SELECT id FROM household WHERE status = 'PROPOSED')"))
        connection.execute(sa.text(
            "INSERT INTO proposal (kind, status, period_id, regency_code, household_id, "
            "proposed_by_id, submitted_at, verified_by_id, verified_at, created_at, updated_at, "
            "version) SELECT 'NEW_HOUSEHOLD', 'VERIFIED', :period, substr(village_code, 1, 5), "
            "id, :operator, :at, :verifier, :at, :at, :at, 1 FROM household "
            "WHERE status = 'PROPOSED'"),
            {"period": period.id, "operator": operator, "verifier": verifier, "at": now})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.exec_driver_sql("ANALYZE")
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)


# -- the figures --------------------------------------------------------------------------------
def _bare_statements(bench: Bench) -> dict[str, float]:
    """Seconds per statement of the close, run bare in one transaction that is rolled back."""
    import sqlalchemy as sa

    from app import periods
    from app.extensions import db
    from models import Period
    from models.enums import PeriodStatus

    timings: dict[str, float] = {}
    with db.engine.connect() as connection:
        transaction = connection.begin()
        try:
            period = connection.execute(
                sa.select(Period).where(Period.status == PeriodStatus.OPEN)).first()
            context = periods.close_context(connection, period, datetime.datetime.now())
            for statement in periods.statements(context):
                started = time.perf_counter()
                statement.run(connection)
                timings[f"{statement.step}: {statement.name}"] = time.perf_counter() - started
        finally:
            transaction.rollback()
    return timings


# -- pages of the console, beside the raw SQL of the same work ----------------------------------
#: Requests timed per page figure (after WARM_UP untimed ones); the median is reported.
REPEAT = 15
WARM_UP = 3
OPERATOR = "operator.bandung"
SCOPE = "32.73"
#: The list the operator opens most: their regency's households of one welfare decile.
LIST_URL = "/households/list/?_flt_0_welfare_decile=2"


def _median_seconds(action, repeat: int = REPEAT, warm_up: int = WARM_UP) -> float:
    for _ in range(warm_up):
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _csrf_token(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*'
                      r'name="csrf_token"', html)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    return match.group(1) or match.group(2)


class _Client:
    """A test client whose every request gets its own application context. The benchmark
    runs inside one, and a request would otherwise share its `g` (the signed-in user, the
    region scope) with every other request."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


def _signed_in_client(app, username: str):
    from app.demo import demo_password

    client = _Client(app)
    token = _csrf_token(client.get("/login/").get_data(as_text=True))
    response = client.post("/login/", data={"username": username, "password": demo_password(),
                                            "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {username}: {response.status_code}")
    return client


def _get(client, url: str):
    def action():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code}")
        return response
    return action


def _timed_sql(statements: list[tuple[str, dict]]) -> float:
    """Median seconds of the statements on one plain DBAPI connection (no ORM, no pool
    checkout per run)."""
    from app.extensions import db

    connection = db.engine.raw_connection()

    def action():
        cursor = connection.cursor()
        for sql, parameters in statements:
            cursor.execute(sql, parameters)
            cursor.fetchall()
        cursor.close()
        connection.rollback()
    try:
        return _median_seconds(action)
    finally:
        connection.close()


_IN_SCOPE = "(h.village_code = %(scope)s OR h.village_code LIKE %(like)s)"


def _list_statements(extra_where: str, parameters: dict) -> list[tuple[str, dict]]:
    """The least a 25-row list page of households needs: the page of rows with each head,
    and the count of matching rows for the pager."""
    parameters = {"scope": SCOPE, "like": SCOPE + ".%", **parameters}
    where = f"{_IN_SCOPE} AND {extra_where}"
    return [
        (f"SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
         f"WHERE {where} ORDER BY h.id DESC LIMIT 25", parameters),
        (f"SELECT m.* FROM member m WHERE m.relation_to_head = 'HEAD' AND m.household_id IN "
         f"(SELECT h.id FROM household h WHERE {where} ORDER BY h.id DESC LIMIT 25)", parameters),
        (f"SELECT count(*) FROM household h WHERE {where}", parameters),
    ]


def _sample_household():
    """A household of the operator's regency in the middle of its id range, with members."""
    import sqlalchemy as sa

    from app.extensions import db

    return db.session.execute(sa.text(
        "SELECT h.id, m.nik FROM household h JOIN member m ON m.household_id = h.id "
        "AND m.relation_to_head = 'HEAD' WHERE h.village_code LIKE '32.73.%' "
        "AND h.status = 'ACTIVE' ORDER BY h.id OFFSET (SELECT count(*) / 2 FROM household "
        "WHERE village_code LIKE '32.73.%') LIMIT 1")).one()


@figure
def list_page(bench: Bench) -> list[Figure]:
    """The operator's household list (25 rows, their regency, one decile) through the console
    vs. the raw SQL of the same page; and the same list from a default Flask-AppBuilder
    scaffold."""
    app = bench.app
    client = _signed_in_client(app, OPERATOR)
    page = _median_seconds(_get(client, LIST_URL))
    with _config(app, LIST_COUNT_REUSE_SECONDS=0) as saved:
        recounted = _median_seconds(_get(client, LIST_URL))
    raw = _timed_sql(_list_statements("h.welfare_decile = %(decile)s", {"decile": 2}))
    admin = _signed_in_client(bench.app, "admin")
    naive_url = "/bench-naive/households/list/?_flt_0_welfare_decile=2"
    naive = _median_seconds(_get(admin, naive_url), repeat=1, warm_up=0)
    figures = [
        Figure("list_page", round(page, 4), round(raw, 4),
               description=f"GET {LIST_URL} as {OPERATOR} (pager count reused up to "
                           f"{saved['LIST_COUNT_REUSE_SECONDS']} s when large) vs. its raw SQL "
                           "(rows, heads, exact count)",
               goals=[("ratio", "<=", 2.0)]),
        Figure("list_page.recounted", round(recounted, 4), round(raw, 4),
               description="the same page counting its rows on every request (before the "
                           "pager count was reused) vs. its raw SQL"),
        Figure("list_page.naive_scaffold", round(naive, 4), round(page, 4),
               description="the same list from a default ModelView (admin) vs. the console's"),
    ]
    previous = bench.previous.get("list_page")
    if previous and bench.previous_households and bench.previous_households < bench.households:
        figures.append(Figure(
            f"list_page.vs_{bench.previous_households // 1000}k", round(page, 4),
            previous["value"],
            description=f"the list page at {bench.households:,} vs. at "
                        f"{bench.previous_households:,} households (--compare)",
            goals=[("ratio", "<=", 1.2)]))
    return figures


@figure
def nik_lookup(bench: Bench) -> list[Figure]:
    """Finding a household by a member's NIK from the list's search vs. the raw SQL."""
    household_id, nik = _sample_household()
    client = _signed_in_client(bench.app, OPERATOR)
    url = f"/households/list/?_flt_0_nik={nik}"
    if f"/households/show/{household_id}" not in client.get(url).get_data(as_text=True):
        raise SystemExit(f"the NIK search did not find household {household_id}")
    page = _median_seconds(_get(client, url))
    raw = _timed_sql(_list_statements(
        "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id AND m.nik = %(nik)s)",
        {"nik": nik}))
    return [Figure("nik_lookup", round(page, 4), round(raw, 4),
                   description=f"GET /households/list/?_flt_0_nik=… as {OPERATOR} vs. its raw SQL",
                   goals=[("value", "<=", 0.020)])]


@figure
def list_page_national(bench: Bench) -> list[Figure]:
    """A national user's unfiltered household list: the pager's count from the planner's
    estimate (views/datamodel.py) vs. the raw SQL (25 rows and an exact count); and the same
    page counting every row, as before the estimate."""
    app = bench.app
    client = _signed_in_client(app, "pusdatin")
    url = "/households/list/"
    page = _median_seconds(_get(client, url))
    # Neither the estimate nor a count reused from an earlier request (views/datamodel.py).
    with _config(app, LIST_COUNT_ESTIMATE_ABOVE=0, LIST_COUNT_REUSE_SECONDS=0) as saved:
        exact = _median_seconds(_get(client, url))
    raw = _timed_sql([
        ("SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
         "ORDER BY h.id DESC LIMIT 25", {}),
        ("SELECT count(*) FROM household", {}),
    ])
    return [
        Figure("list_page.national", round(page, 4), round(raw, 4),
               description=f"GET {url} as pusdatin (count estimated above "
                           f"{saved['LIST_COUNT_ESTIMATE_ABOVE']:,} rows) vs. raw SQL with an exact "
                           "count"),
        Figure("list_page.national_exact_count", round(exact, 4), round(page, 4),
               description="the same page counting every row on every request (before) vs. "
                           "with the estimate"),
    ]


@figure
def dashboard(bench: Bench) -> list[Figure]:
    """The national dashboard (pusdatin) reusing its figures for DASHBOARD_REUSE_SECONDS on a
    large register (views/dashboard.py) vs. counting everything on every view (before)."""
    app = bench.app
    client = _signed_in_client(app, "pusdatin")
    with _config(app, DASHBOARD_REUSE_SECONDS=0) as saved:
        live = _median_seconds(_get(client, "/"), repeat=3, warm_up=1)
    reused = _median_seconds(_get(client, "/"))
    return [Figure("dashboard.national", round(reused, 4), round(live, 4),
                   description="GET / as pusdatin, figures reused (large register) vs. "
                               "recounted on every view",
                   details={"reuse_seconds": saved["DASHBOARD_REUSE_SECONDS"]})]


@figure
def nik_lookup_api(bench: Bench) -> list[Figure]:
    """The interconnection API's NIK check (POST /api/v1/nik-status/, one NIK) vs. its raw
    SQL (the member, its household and programs)."""
    household_id, nik = _sample_household()
    client = _Client(bench.app)
    from app.demo import demo_password

    response = client.post("/api/v1/security/login", json={
        "username": "interkoneksi", "password": demo_password(), "provider": "db",
        "refresh": False})
    if response.status_code != 200:
        raise SystemExit(f"the API sign-in as interkoneksi failed: {response.status_code} "
                         f"{response.get_data(as_text=True)[:300]}")
    headers = {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    def action():
        answer = client.post("/api/v1/nik-status/", json={"niks": [nik]}, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"nik-status: {answer.status_code} {answer.get_data(as_text=True)}")
    page = _median_seconds(action, repeat=10, warm_up=2)  # NIK_CHECK_RATE_LIMIT: 60/minute
    raw = _timed_sql([
        ("SELECT m.id, h.welfare_decile, h.village_code FROM member m JOIN household h "
         "ON h.id = m.household_id WHERE m.nik = %(nik)s AND m.status = 'ACTIVE'", {"nik": nik}),
        ("SELECT p.code FROM program_membership pm JOIN program p ON p.id = pm.program_id "
         "JOIN member m ON m.household_id = pm.household_id WHERE m.nik = %(nik)s",
         {"nik": nik}),
    ])
    return [Figure("nik_lookup.api", round(page, 4), round(raw, 4),
                   description="POST /api/v1/nik-status/ (one NIK, interkoneksi) vs. raw SQL",
                   goals=[("value", "<=", 0.020)])]


@figure
def household_page(bench: Bench) -> list[Figure]:
    """A household's page with its members, families and program memberships."""
    household_id, _nik = _sample_household()
    client = _signed_in_client(bench.app, OPERATOR)
    page = _median_seconds(_get(client, f"/households/show/{household_id}"))
    parameters = {"id": household_id}
    raw = _timed_sql([
        ("SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
         "WHERE h.id = %(id)s", parameters),
        ("SELECT * FROM member WHERE household_id = %(id)s ORDER BY id", parameters),
        ("SELECT * FROM family WHERE household_id = %(id)s ORDER BY id", parameters),
        ("SELECT pm.*, p.code FROM program_membership pm JOIN program p ON p.id = pm.program_id "
         "WHERE pm.household_id = %(id)s ORDER BY pm.id", parameters),
    ])
    return [Figure("household_page", round(page, 4), round(raw, 4),
                   description=f"GET /households/show/<id> as {OPERATOR} vs. its raw SQL",
                   goals=[("value", "<=", 0.050)])]


class _FormValues:
    """What a browser sends back for the page's main form (the POST form with the most
    fields): inputs, checked boxes, selected options."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        forms: list[dict[str, list[str]]] = []
        state = {"select": None, "form": None}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "form" and "post" in (attrs.get("method") or "").lower():
                    state["form"] = {}
                    forms.append(state["form"])
                values = state["form"]
                if values is None:
                    return
                name = attrs.get("name")
                if tag == "input" and name:
                    kind = (attrs.get("type") or "text").lower()
                    if kind in ("checkbox", "radio") and "checked" not in attrs:
                        values.setdefault(name, [])
                        return
                    if kind in ("submit", "button"):
                        return
                    values.setdefault(name, []).append(attrs.get("value") or (
                        "y" if kind == "checkbox" else ""))
                elif tag == "select" and name:
                    state["select"] = name
                    values.setdefault(name, [])
                elif tag == "option" and state["select"] and "selected" in attrs:
                    values[state["select"]].append(attrs.get("value") or "")
                elif tag == "textarea" and name:
                    values.setdefault(name, []).append("")

            def handle_endtag(self, tag):
                if tag == "select":
                    state["select"] = None
                if tag == "form":
                    state["form"] = None

        Parser().feed(html)
        self.values = max(forms, key=len) if forms else {}

    def data(self, **changes) -> dict:
        data = {name: (found[0] if len(found) == 1 else found)
                for name, found in self.values.items() if found}
        data.update(changes)
        return data


@figure
def household_form(bench: Bench) -> list[Figure]:
    """The household add and edit forms vs. the same forms from a default ModelView, whose
    village select lists every region; and saving an edit (validation, optimistic lock, audit
    entry) vs. the raw UPDATE and audit INSERT."""
    import sqlalchemy as sa

    from app.extensions import db

    household_id, _nik = _sample_household()
    client = _signed_in_client(bench.app, OPERATOR)
    admin = _signed_in_client(bench.app, "admin")
    edit = _median_seconds(_get(client, f"/households/edit/{household_id}"))
    add = _median_seconds(_get(admin, "/households/add"))  # operators propose instead
    naive_edit = _median_seconds(_get(admin, f"/bench-naive/households/edit/{household_id}"),
                                 repeat=3, warm_up=1)
    naive_add = _median_seconds(_get(admin, "/bench-naive/households/add"), repeat=3, warm_up=1)

    url = f"/households/edit/{household_id}"
    saves = []
    for attempt in range(REPEAT + 1):
        form = _FormValues(client.get(url).get_data(as_text=True))
        data = form.data(address=f"Jl. Bench No. {attempt + 1}")
        started = time.perf_counter()
        response = client.post(url, data=data)
        seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise SystemExit(f"POST {url}: {response.status_code} "
                             f"{response.get_data(as_text=True)[:300]}")
        if attempt:
            saves.append(seconds)
    audited = db.session.scalar(sa.text(
        "SELECT count(*) FROM audit_entry WHERE entity = 'household' AND entity_id = :id "
        "AND action = 'update'"), {"id": str(household_id)})
    raw_save = _raw_save_seconds(household_id)
    return [
        Figure("household_form.edit", round(edit, 4), round(naive_edit, 4),
               description="GET the edit form vs. a default ModelView's (goal: 20× faster)",
               goals=[("ratio", "<=", 0.05)]),
        Figure("household_form.add", round(add, 4), round(naive_add, 4),
               description="GET the add form (admin) vs. a default ModelView's (goal: 20× faster)",
               goals=[("ratio", "<=", 0.05)]),
        Figure("household_form.save", round(statistics.median(saves), 4), round(raw_save, 4),
               description="POST an edit (checks, version, audit) vs. raw UPDATE + audit INSERT",
               details={"audit_entries": audited}, goals=[("value", "<=", 0.050)]),
    ]


def _raw_save_seconds(household_id: int) -> float:
    from app.extensions import db

    connection = db.engine.raw_connection()
    counter = iter(range(10 ** 6))

    def action():
        cursor = connection.cursor()
        cursor.execute(
            "UPDATE household SET address = %(address)s, updated_at = now(), "
            "version = version + 1 WHERE id = %(id)s RETURNING version",
            {"id": household_id, "address": f"Jl. Raw No. {next(counter)}"})
        cursor.execute(
            "INSERT INTO audit_entry (at, user_id, username, ip_address, action, entity, "
            "entity_id, region_code, before, after) SELECT now(), NULL, 'bench', '127.0.0.1', "
            "'update', 'household', %(entity)s, village_code, '{\"address\": \"a\"}', "
            "'{\"address\": \"b\"}' "
            "FROM household WHERE id = %(id)s", {"id": household_id, "entity": str(household_id)})
        connection.commit()
    try:
        return _median_seconds(action)
    finally:
        connection.close()


def register_naive_views(app) -> None:
    """A default Flask-AppBuilder scaffold on the same model, as `flask fab create-app` would
    give: a ModelView with its default list, search and relationship select (the village,
    chosen among every region). The one-to-many selects (families, members, memberships) are
    left out of its forms: they would load every member of the register into one page."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from models import Household

    scalar = [column.name for column in Household.__table__.columns
              if column.name not in ("id", "village_code", "created_at", "updated_at",
                                     "version")]

    class NaiveHouseholdView(ModelView):
        route_base = "/bench-naive/households"
        datamodel = SQLAInterface(Household)
        add_columns = ["village", *scalar]
        edit_columns = ["village", *scalar]
        search_columns = ["village", *scalar]

    with app.app_context():
        app.appbuilder.add_view_no_menu(NaiveHouseholdView)


@figure
def period_close(bench: Bench) -> list[Figure]:
    import sqlalchemy as sa

    from app import periods
    from app.extensions import db
    from models import Household, PeriodSnapshot
    from models.enums import HouseholdStatus

    _bare_statements(bench)  # warm-up: both measured runs find the same cache
    bare = _bare_statements(bench)
    result = periods.close_period()
    if not result.closed:
        raise SystemExit(f"the close did nothing: {result.message}")
    code = result.period_code
    period_id = periods.period_by_code(code).id
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(PeriodSnapshot)
                             .where(PeriodSnapshot.period_id == period_id))
    active = db.session.scalar(sa.select(sa.func.count()).select_from(Household)
                               .where(Household.status == HouseholdStatus.ACTIVE))
    assert rows == active == result.households, (rows, active, result.households)
    bare_total = sum(bare.values())
    details = {
        "period": code, "snapshot_rows": rows, "families": result.families,
        "people": result.people, "program_recipients": result.program_recipients,
        "corrections": result.corrections, "new_proposals": result.new_proposals,
        "applied": result.applied,
        "bare_statements": {name: round(seconds, 4) for name, seconds in bare.items()},
    }
    figures = [Figure(
        "period_close", round(result.seconds, 3), round(bare_total, 3),
        description=f"close of period {code} at {bench.households:,} households vs. its bare "
                    "SQL statements", details=details,
        goals=[("value", "<=", 60), ("ratio", "<=", 1.5)],
    )]
    for step, _label in periods.STEPS:
        step_bare = sum(seconds for name, seconds in bare.items()
                        if name.startswith(step + ": "))
        figures.append(Figure(
            f"period_close.{step}", round(result.step_seconds.get(step, 0.0), 3),
            round(step_bare, 3), description=f"step {step!r} inside the close vs. bare"))
    return figures


# -- printed documents (reports/) ---------------------------------------------------------------
#: Certificates printed one by one for the median, and the batch size the goal is set for.
CERTIFICATES_MEASURED = 25
BATCH_HOUSEHOLDS = 300


def _determined_households(limit: int, village: str | None = None) -> list:
    """Active households of the latest closed period's snapshot (the period_close figure made
    it), in Kota Bandung or in one village."""
    import sqlalchemy as sa

    from app.extensions import db
    from models import Household, Period, PeriodSnapshot
    from models.enums import HouseholdStatus, PeriodStatus

    period_id = db.session.scalar(sa.select(Period.id).where(Period.status == PeriodStatus.CLOSED)
                                  .order_by(Period.code.desc()).limit(1))
    query = (sa.select(Household)
             .join(PeriodSnapshot, sa.and_(PeriodSnapshot.household_id == Household.id,
                                           PeriodSnapshot.period_id == period_id))
             .where(Household.status == HouseholdStatus.ACTIVE)
             .order_by(Household.id).limit(limit))
    if village:
        query = query.where(Household.village_code == village)
    else:
        query = query.where(Household.village_code.startswith("32.73."))
    return list(db.session.scalars(query))


@figure
def certificate(bench: Bench) -> list[Figure]:
    """One registration certificate as the console prints it (data, code, PDF, stored and
    audited) vs. a blank page with the same letterhead and footer (WeasyPrint's fixed cost)."""
    from flask_login import login_user

    from reports import certificates, renderer

    app = bench.app
    households = _determined_households(CERTIFICATES_MEASURED + 1)
    if not households:
        raise SystemExit("no household of Kota Bandung in a closed period: run period_close first")
    operator = app.appbuilder.sm.find_user(username="operator.bandung")
    times, blank = [], []
    with app.test_request_context("/reports/", base_url="http://127.0.0.1:8080/"):
        login_user(operator)
        printing = certificates.Printing(operator.id, operator.username, True,
                                         "http://127.0.0.1:8080/")
        certificates.issue_certificate(households[0], printing)  # warm-up: fonts, stylesheet
        for household in households[1:]:
            started = time.perf_counter()
            pdf, _certificate = certificates.issue_certificate(household, printing)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            renderer.render_pdf("base.html", {**renderer.page_context(operator.username),
                                              "title": "bench"})
            blank.append(time.perf_counter() - started)
    return [Figure(
        "certificate", round(statistics.median(times), 3), round(statistics.median(blank), 3),
        description=f"median of {len(times)} certificates (goal: at most 0.300 s) vs. a blank "
                    "letterhead page",
        details={"max": round(max(times), 3), "min": round(min(times), 3),
                 "pdf_bytes": len(pdf)},
        goals=[("value", "<=", 0.300)],
    )]


@figure
def certificates_village_batch(bench: Bench) -> list[Figure]:
    """All certificates of a village as one PDF, by the bulk_certificates job, on every core
    (REPORT_WORKERS unset) vs. the same job on one core. The village is the Kota Bandung village
    whose determined household count is nearest to 300; the value is scaled to 300 households
    (goal: at most 30 s)."""
    import sqlalchemy as sa

    from app import jobs
    from app.extensions import db
    from models import Household, Period, PeriodSnapshot
    from models.enums import HouseholdStatus, JobStatus, PeriodStatus
    from reports import bulk

    app = bench.app
    period_id = db.session.scalar(sa.select(Period.id).where(Period.status == PeriodStatus.CLOSED)
                                  .order_by(Period.code.desc()).limit(1))
    counts = db.session.execute(
        sa.select(Household.village_code, sa.func.count())
        .join(PeriodSnapshot, sa.and_(PeriodSnapshot.household_id == Household.id,
                                      PeriodSnapshot.period_id == period_id))
        .where(Household.status == HouseholdStatus.ACTIVE,
               Household.village_code.startswith("32.73."))
        .group_by(Household.village_code)).all()
    if not counts:
        raise SystemExit("no household of Kota Bandung in a closed period")
    village, size = min(counts, key=lambda row: (abs(row[1] - BATCH_HOUSEHOLDS), row[0]))
    operator = app.appbuilder.sm.find_user(username="operator.bandung")
    seconds, processes = {}, {}
    for workers in (None, 1):
        with _config(app, REPORT_WORKERS=workers):
            bulk.enqueue(village, "http://127.0.0.1:8080/", operator.id)
            started = time.perf_counter()
            run = jobs.run_next(bulk.KIND)
            seconds[workers] = time.perf_counter() - started
            processes[workers] = bulk.worker_count()
        if run.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"bulk_certificates failed: {run.error}")
    scale = BATCH_HOUSEHOLDS / size
    return [Figure(
        "certificates_village_batch", round(seconds[None] * scale, 3), round(seconds[1] * scale, 3),
        description=f"{BATCH_HOUSEHOLDS}-household village batch on {processes[None]} "
                    "worker processes (goal: at most 30 s) vs. one process",
        details={"village": village, "households": size,
                 "seconds_measured": round(seconds[None], 3),
                 "seconds_one_process": round(seconds[1], 3),
                 "pdf_bytes": run.result.get("size")},
        goals=[("value", "<=", 30)],
    )]


# -- HTTP under gunicorn ------------------------------------------------------------------------
HTTP_SECONDS = 15
HTTP_MAX_REQUESTS = 4000
HTTP_CLIENTS = 4


@figure
def http_list_page(bench: Bench) -> list[Figure]:
    """Requests per second on the operator's list page under gunicorn (2 sync workers), from
    HTTP_CLIENTS keep-alive clients on loopback, for at most HTTP_SECONDS or HTTP_MAX_REQUESTS.
    Baseline: the same server and clients, not signed in, on the login page (no database
    work): what the stack itself serves."""
    import socket
    import threading

    import requests

    from app.demo import demo_password

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "RATELIMIT_ENABLED": "0"}  # main() set DATABASE_URL
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning", "run:app"],
        cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                requests.get(base + "/login/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.5)

        def session():
            http = requests.Session()
            token = _csrf_token(http.get(base + "/login/").text)
            response = http.post(base + "/login/", data={
                "username": OPERATOR, "password": demo_password(), "csrf_token": token},
                allow_redirects=False)
            if response.status_code != 302:
                raise SystemExit(f"gunicorn sign-in failed: {response.status_code}")
            return http

        def load(path: str, signed_in: bool = True) -> dict:
            sessions = [session() if signed_in else requests.Session()
                        for _ in range(HTTP_CLIENTS)]
            for http in sessions:  # warm both workers
                http.get(base + path)
            counts = {"ok": 0, "errors": 0}
            lock = threading.Lock()
            deadline = time.perf_counter() + HTTP_SECONDS

            def client(http):
                while time.perf_counter() < deadline:
                    with lock:
                        if counts["ok"] + counts["errors"] >= HTTP_MAX_REQUESTS:
                            return
                    try:
                        ok = http.get(base + path, timeout=30).status_code == 200
                    except requests.RequestException:
                        ok = False
                    with lock:
                        counts["ok" if ok else "errors"] += 1

            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(http,)) for http in sessions]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            return {**counts, "seconds": round(elapsed, 2),
                    "per_second": round(counts["ok"] / elapsed, 1)}

        listed = load(LIST_URL)
        login_page = load("/login/", signed_in=False)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [Figure(
        "http_list_page", listed["per_second"], login_page["per_second"], unit="req/s",
        description=f"{LIST_URL} under gunicorn, 2 sync workers, {HTTP_CLIENTS} keep-alive "
                    "clients on loopback vs. the login page signed out",
        details={"list": listed, "login_page": login_page, "errors": listed["errors"]},
        goals=[("value", ">=", 100), ("errors", "<=", 0)])]


# CSV import throughput, measured by the import's own benchmark module (scripts/, on sys.path
# when this file runs as a script).
from bench_import import import_throughput  # noqa: E402

figure(import_throughput)


# -- output -------------------------------------------------------------------------------------
def _cells(f: dict, unmet: str) -> tuple[str, ...]:
    """A figure (Figure.as_dict()) as the cells of a table row."""
    unit = f["unit"]
    return (f["name"], f"{f['value']:.3f} {unit}",
            "–" if f["baseline"] is None else f"{f['baseline']:.3f} {unit}",
            "–" if f["ratio"] is None else f"{f['ratio']:.2f}×", f["goal"] or "–",
            {True: "yes", False: unmet, None: "–"}[f["met"]])


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "value", "baseline", "ratio", "goal", "met?")
    rows = [_cells(f.as_dict(), unmet="NO") for f in figures]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for index, row in enumerate([header, *rows]):
        print("  ".join(cell.ljust(width) if column in (0, 4) else cell.rjust(width)
                        for column, (cell, width) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def markdown_table(report: dict) -> str:
    lines = [f"{report['households']:,} households, {report['database']}, {report['cpus']} CPUs, "
             f"{report['generated_at']}", "",
             "| figure | value | baseline | ratio | goal | met? |", "|---|---:|---:|---:|---|---|"]
    for f in report["figures"]:
        lines.append("| " + " | ".join(_cells(f, unmet="**no**")) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL database to use (default: a throwaway one)")
    parser.add_argument("--output", default="bench.json", help="JSON file to write")
    parser.add_argument("--markdown", default=None, help="also write the table as Markdown")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--compare", default=None,
                        help="JSON of an earlier run (another size) to compare the list page with")
    parser.add_argument("--only", default=None,
                        help="comma-separated figure functions to run (default: all)")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    known = [measure.__name__ for measure in FIGURES]
    if only and only - set(known):
        parser.error(f"--only: no figure {', '.join(sorted(only - set(known)))}; "
                     f"the figures are {', '.join(known)}")

    throwaway = None
    url = args.database_url
    if url is None:
        throwaway, url = create_database()
        print(f"throwaway database {throwaway}", flush=True)
    os.environ.setdefault("DATAKESOS_INSTANCE", tempfile.mkdtemp(prefix="datakesos-bench-"))
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(16))
    try:
        import sqlalchemy as sa

        from app import create_app
        from app.extensions import db
        from config import database_url

        os.environ["DATABASE_URL"] = url
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url)})
        register_naive_views(app)
        previous, previous_households = {}, None
        if args.compare:
            earlier = json.loads(Path(args.compare).read_text())
            previous = {f["name"]: f for f in earlier["figures"]}
            previous_households = earlier["households"]
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                print("scripts/bench.py measures PostgreSQL; give a postgresql:// URL",
                      file=sys.stderr)
                return 2
            version = db.session.execute(sa.text("SHOW server_version")).scalar()
            bench = Bench(app=app, households=args.households, seed=args.seed,
                          database=f"PostgreSQL {version}", previous=previous,
                          previous_households=previous_households)
            prepare(bench)
            figures = []
            for measure in FIGURES:
                if only and measure.__name__ not in only:
                    continue
                print(f"measuring {measure.__name__} …", flush=True)
                figures += measure(bench)
                db.session.remove()
        print()
        print_table(figures)
        if args.only and Path(args.output).exists():
            # A partial run replaces its figures in the earlier report and keeps the others.
            earlier = json.loads(Path(args.output).read_text())["figures"]
            names = {f.name for f in figures}
            kept = [Figure(**{k: v for k, v in f.items() if k not in ("ratio", "goal", "met")})
                    for f in earlier if f["name"] not in names]
            order = {f["name"]: i for i, f in enumerate(earlier)}
            figures = sorted(kept + figures, key=lambda f: order.get(f.name, len(order)))
            print()
            print_table(figures)
        report = {
            "generated_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "database": bench.database,
            "households": args.households,
            "cpus": os.cpu_count(),
            "figures": [f.as_dict() for f in figures],
        }
        Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwritten to {args.output}")
        if args.markdown:
            Path(args.markdown).write_text(markdown_table(report) + "\n")
        return 0
    finally:
        if throwaway:
            if args.keep:
                print(f"kept database: {url}")
            else:
                from app.extensions import db

                try:
                    db.engine.dispose()
                except Exception:  # noqa: BLE001 — no app was created
                    pass
                drop_database(throwaway)
                print(f"dropped throwaway database {throwaway}")


if __name__ == "__main__":
    sys.exit(main())
