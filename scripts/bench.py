#!/usr/bin/env python3
"""Benchmarks of Datakesos on PostgreSQL, as a list of measured figures.

    .venv/bin/python scripts/bench.py --households 100000 [--database-url URL] [--output bench.json]

Without --database-url a throwaway database (and role) is created on the local server, as
scripts/test_postgres.sh does, and dropped at the end (--keep keeps it and prints its URL). With
--database-url that database is used and data are only added when missing, so a second run
reuses them.

Each figure has a value, a baseline and their ratio (value / baseline): what a feature costs
beside the least the database must do for it. Add a figure by writing a function decorated with
`@figure` that takes the Bench and returns a list of Figure; figures run in the order written.

The period close (`period_close…`) is measured at --households N beside the bare SQL statements
it needs (app.periods.statements: the same statements, run one after the other on a plain
connection without the lock, checks, progress and audit entries, then rolled back).
"""
from __future__ import annotations

import argparse
import datetime
import getpass
import json
import os
import secrets
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

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return round(self.value / self.baseline, 3)

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Bench:
    app: object
    households: int
    seed: int
    database: str


FIGURES: list[Callable[[Bench], list[Figure]]] = []


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
    from app.reference import ensure_open_period
    from models import Household

    started = time.perf_counter()
    initialise()
    demo.create_demo_users()
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Household))
    if have < bench.households:
        print(f"generating {bench.households - have:,} demo households …", flush=True)
        result = demo.generate(bench.households - have, seed=bench.seed + have)
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
    import statistics

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
    seconds = {}
    for workers in (None, 1):
        app.config["REPORT_WORKERS"] = workers
        bulk.enqueue(village, "http://127.0.0.1:8080/", operator.id)
        started = time.perf_counter()
        run = jobs.run_next(bulk.KIND)
        seconds[workers] = time.perf_counter() - started
        if run.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"bulk_certificates failed: {run.error}")
    app.config.pop("REPORT_WORKERS", None)
    scale = BATCH_HOUSEHOLDS / size
    return [Figure(
        "certificates_village_batch", round(seconds[None] * scale, 3), round(seconds[1] * scale, 3),
        description=f"{BATCH_HOUSEHOLDS}-household village batch on {bulk.worker_count()} "
                    "worker processes (goal: at most 30 s) vs. one process",
        details={"village": village, "households": size,
                 "seconds_measured": round(seconds[None], 3),
                 "seconds_one_process": round(seconds[1], 3),
                 "pdf_bytes": run.result.get("size")},
    )]


# -- output -------------------------------------------------------------------------------------
def print_table(figures: list[Figure]) -> None:
    header = ("figure", "value", "baseline", "ratio")
    rows = [(f.name, f"{f.value:.3f} {f.unit}",
             "–" if f.baseline is None else f"{f.baseline:.3f} {f.unit}",
             "–" if f.ratio is None else f"{f.ratio:.2f}×") for f in figures]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for index, row in enumerate([header, *rows]):
        print("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                        for column, (cell, width) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL database to use (default: a throwaway one)")
    parser.add_argument("--output", default="bench.json", help="JSON file to write")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args(argv)

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

        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url)})
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                print("scripts/bench.py measures PostgreSQL; give a postgresql:// URL",
                      file=sys.stderr)
                return 2
            version = db.session.execute(sa.text("SHOW server_version")).scalar()
            bench = Bench(app=app, households=args.households, seed=args.seed,
                          database=f"PostgreSQL {version}")
            prepare(bench)
            figures = []
            for measure in FIGURES:
                print(f"measuring {measure.__name__} …", flush=True)
                figures += measure(bench)
                db.session.remove()
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
