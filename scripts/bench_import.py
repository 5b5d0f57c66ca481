#!/usr/bin/env python3
"""Import throughput on PostgreSQL: `flask datakesos import`'s work (app.imports.run_import, as
an Admin) on a file of 100,000 member rows, beside a raw COPY of the same file into a plain table
with the same columns, measured in the same run (issue 6 goal: import throughput at least 0.5×
the raw COPY's).

    import_throughput(bench) -> list[Figure]     (named in scripts/bench.py's FIGURES)

A second baseline from the same run bounds what any import can reach: the same generated
households, families and members COPYed straight into the register's own tables — their indexes,
unique constraints and foreign keys, but no checks and no audit — and rolled back.

The file is made from generated demo households of Kota Bandung (valid NIK and KK numbers, none
in the register yet). The import writes them for good (the bench database is a throwaway one);
a second import of the same file is timed too and must change nothing.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from bench_common import Figure

MEMBER_ROWS = 100_000
#: Members per generated household are about 3.6: this many households give ≥ 100,000 rows.
HOUSEHOLDS_NEEDED = 30_000
REGION = "32.73"


REGISTER_TABLES = ("household", "family", "member")


def write_file(path: Path, seed: int, rows_wanted: int = MEMBER_ROWS) -> tuple[int, int, dict]:
    """A CSV of whole households with at least `rows_wanted` member rows (the first household
    boundary past it); returns (member rows, households, the same records as rows of the
    register's tables)."""
    import csv

    from app.demo import import_files
    from app.imports import columns

    rows = households = 0
    tables: dict[str, list[dict]] = {table: [] for table in REGISTER_TABLES}
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns.NAMES)
        for household, families, members in import_files.demo_households(
            HOUSEHOLDS_NEEDED, seed=seed, regions=(REGION,)
        ):
            if rows >= rows_wanted:
                break
            writer.writerows(import_files.row_of(household, families, member) for member in members)
            tables["household"].append(household)
            tables["family"].extend(_families_of(families, members))
            tables["member"].extend(members)
            rows += len(members)
            households += 1
    return rows, households, tables


def _families_of(families: dict, members: list[dict]) -> list[dict]:
    ids = dict.fromkeys(member["family_id"] for member in members)
    return [families[family_id] for family_id in ids]


def raw_copy_seconds(path: Path) -> float:
    """COPY of the file into a plain table of text columns named as the file's, committed."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.imports import columns

    names = ", ".join(f"{name} text" for name in columns.NAMES)
    with db.engine.connect() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS bench_import_raw"))
        connection.execute(sa.text(f"CREATE TABLE bench_import_raw ({names})"))
        connection.commit()
        cursor = connection.connection.cursor()
        started = time.perf_counter()
        with path.open(encoding="utf-8") as stream:
            cursor.copy_expert(
                "COPY bench_import_raw FROM STDIN WITH (FORMAT csv, HEADER true)", stream
            )
        connection.connection.commit()
        seconds = time.perf_counter() - started
        cursor.close()
        connection.execute(sa.text("DROP TABLE bench_import_raw"))
        connection.commit()
    return seconds


def register_copy_seconds(tables: dict[str, list[dict]]) -> float:
    """COPY of the file's records into the register's own tables (household, family, member:
    indexes, keys and constraints as they are), timed up to the last row and rolled back."""
    from app.extensions import db
    from app.imports.staging import copy_text

    streams = {table: copy_text(rows) for table, rows in tables.items()}
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            started = time.perf_counter()
            for table in REGISTER_TABLES:
                names, text = streams[table]
                cursor.copy_expert(
                    f"COPY {table} ({', '.join(names)}) FROM STDIN", io.StringIO(text)
                )
            seconds = time.perf_counter() - started
        finally:
            cursor.close()
            connection.connection.rollback()
    return seconds


def import_throughput(bench) -> list[Figure]:
    from app import imports
    from app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="datakesos-bench-import-"))
    path = folder / "households-100k.csv"
    started = time.perf_counter()
    rows, households, tables = write_file(path, seed=bench.seed + 6006)
    db.session.rollback()
    generated = time.perf_counter() - started
    data = path.read_bytes()
    admin = bench.app.appbuilder.sm.find_user(username="admin")
    importer = imports.importer_for(admin)

    raw_copy_seconds(path)  # warm-up: both measured runs find the file and catalogue cached
    copy_seconds = raw_copy_seconds(path)
    register_copy_seconds(tables)  # warm-up, as above
    register_seconds = register_copy_seconds(tables)
    del tables

    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def on_progress(done, total=None, message=None):
        if message and message not in phases:
            phases[message] = round(time.perf_counter() - clock, 3)

    result = imports.run_import(data, path.name, importer, progress=on_progress)
    if not result.applied:
        raise SystemExit(f"the import was refused: {result.errors[:5]}")
    import_seconds = result.seconds
    again = imports.run_import(data, path.name, importer)
    if again.counts.changes:
        raise SystemExit(f"a second import changed {again.counts.changes} records")
    path.unlink()
    folder.rmdir()

    details = {
        "member_rows": rows,
        "households": households,
        "file_bytes": len(data),
        "counts": result.counts.as_dict(),
        "warnings": result.warning_count,
        "phases_started_at": phases,
        "second_import_seconds": again.seconds,
        "file_generation_seconds": round(generated, 1),
        "register_copy_seconds": round(register_seconds, 3),
    }
    seconds_figure = Figure(
        "import_100k",
        round(import_seconds, 3),
        round(copy_seconds, 3),
        description=f"import of {rows:,} member rows ({households:,} households, validated, "
        "staged by COPY, inserted, audited) vs. a raw COPY of the same file",
        details=details,
    )
    throughput = Figure(
        "import_throughput",
        round(rows / import_seconds, 1),
        round(rows / copy_seconds, 1),
        unit="rows/s",
        description="member rows per second: import vs. raw COPY of the same file "
        "(goal: ratio at least 0.5)",
        goals=[("ratio", ">=", 0.5)],
    )
    against_register = Figure(
        "import_vs_register_copy",
        round(rows / import_seconds, 1),
        round(rows / register_seconds, 1),
        unit="rows/s",
        description="member rows per second: import vs. a COPY of the same records into the "
        "register's own tables (indexes and keys, no checks, no audit; rolled back)",
    )
    bound = Figure(
        "register_copy_vs_raw_copy",
        round(rows / register_seconds, 1),
        round(rows / copy_seconds, 1),
        unit="rows/s",
        description="the most any import could reach: the unchecked, unaudited COPY into the "
        "register's tables vs. the raw COPY of the file into a bare table",
    )
    return [seconds_figure, throughput, against_register, bound]
