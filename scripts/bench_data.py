"""The benchmark's database: a throwaway one on the local server (created and dropped as the
postgres OS user, as scripts/test_postgres.sh does), and the data every figure needs."""

from __future__ import annotations

import datetime
import getpass
import os
import secrets
import subprocess
import time

from bench_common import Bench

#: Shares of the register's activity in a period (DESIGN §1, November 2018): 7.26 % of
#: households corrected, 443,022 new proposals for 27 M households (1.6 %).
CORRECTED_EVERY = 14  # one household in 14 ≈ 7.1 %
PROPOSED_EVERY = 61  # one in 61 ≈ 1.6 %


def _as_postgres(*command: str) -> str:
    """A command as the postgres OS user, over the local socket (peer authentication)."""
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
    elif getpass.getuser() == "postgres":
        prefix = []
    else:
        prefix = ["sudo", "-u", "postgres"]
    return subprocess.run(
        [*prefix, *command], check=True, capture_output=True, text=True, cwd="/"
    ).stdout


def create_database() -> tuple[str, str]:
    name = f"datakesos_bench_{datetime.datetime.now():%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    password = secrets.token_hex(16)
    port = os.environ.get("PGPORT", "5432")
    psql = ("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p", port, "-d", "postgres", "-c")
    _as_postgres(*psql, f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    _as_postgres(
        *psql, f'CREATE DATABASE "{name}" OWNER "{name}" ENCODING \'UTF8\' TEMPLATE template0'
    )
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
        from app.demo import bulk

        print(f"generating {bench.households - have:,} demo households (COPY) …", flush=True)
        result = bulk.generate_bulk(bench.households - have, seed=bench.seed + have)
        print(
            f"  {result.households:,} households, {result.members:,} members in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    period = ensure_open_period()
    connection = db.session.connection()
    operator = connection.scalar(
        sa.text("SELECT id FROM ab_user WHERE username = 'operator.bandung'")
    )
    verifier = connection.scalar(
        sa.text("SELECT id FROM ab_user WHERE username = 'verifikator.bandung'")
    )
    if not connection.scalar(
        sa.text("SELECT count(*) FROM proposal WHERE period_id = :p"), {"p": period.id}
    ):
        now = datetime.datetime.now()
        connection.execute(
            sa.text(
                "INSERT INTO audit_entry (at, user_id, username, ip_address, action, entity, "
                "entity_id, region_code) SELECT :at, :user, 'operator.bandung', '127.0.0.1', "
                "'update', 'household', CAST(id AS VARCHAR), village_code FROM household "
                "WHERE status = 'ACTIVE' AND id % :every = 0"
            ),
            {"at": now, "user": operator, "every": CORRECTED_EVERY},
        )
        connection.execute(
            sa.text(
                "UPDATE household SET status = 'PROPOSED' WHERE status = 'ACTIVE' AND id % "
                ":every = 0"
            ),
            {"every": PROPOSED_EVERY},
        )
        connection.execute(
            sa.text(
                "UPDATE member SET status = 'PROPOSED' WHERE household_id IN "
                "(SELECT id FROM household WHERE status = 'PROPOSED')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO proposal (kind, status, period_id, regency_code, household_id, "
                "proposed_by_id, submitted_at, verified_by_id, verified_at, created_at, "
                "updated_at, "
                "version) SELECT 'NEW_HOUSEHOLD', 'VERIFIED', :period, substr(village_code, 1, 5), "
                "id, :operator, :at, :verifier, :at, :at, :at, 1 FROM household "
                "WHERE status = 'PROPOSED'"
            ),
            {"period": period.id, "operator": operator, "verifier": verifier, "at": now},
        )
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.exec_driver_sql("ANALYZE")
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
