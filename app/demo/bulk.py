"""Bulk demo data on PostgreSQL through COPY: the national data set ("N1M") in minutes.

`generate_bulk(households=1_000_000)` draws the same kind of households as app.demo (its
Generator is reused as it is) but:

- spreads them over all 514 regencies/cities, weighted by their villages (a city's kelurahan
  count three times, being denser), with Kota Bandung and Kabupaten Bogor — the demo users'
  regions — each given a fixed share so their operators have a full register to work on
  (app.demo.places.national_regencies);
- generates chunks of CHUNK households in worker processes (one per core), each chunk from its
  own seed, so the result does not depend on the number of workers or their timing;
- writes each chunk as COPY text streams (household, family, member, program_membership;
  app.imports.staging's encoder) from the parent process while the workers draw the next chunks;
- drops the secondary indexes and foreign keys of the four tables first and builds them again
  afterwards (one sort per index instead of 3.6 M random inserts), all in one transaction: a
  failed run leaves the register as it was.

Ids: a household's id follows its index; families, members and memberships take ids from a
block reserved per chunk (the most a household can have times CHUNK), so chunks need not wait
for each other and ids have gaps between chunks. Sequences are moved past the last id.

Uniqueness: register ids are unique by construction (the Generator's stride). NIKs and KK
numbers are drawn as in app.demo; the few that repeat (an earlier chunk, another seed, real
data) are redrawn set-based in SQL before the unique indexes are built — the later row gets a
serial from the range 5000–9999 that app.demo never draws, deterministically from its id.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app.demo.generator import DEFAULT_SEED, TABLES, Generator
from app.demo.places import national_regencies
from app.demo.writing import DemoResult, advance_sequences
from app.errors import ValidationError
from app.extensions import db, is_postgresql
from app.imports.staging import copy_text

CHUNK = 5000
#: Above this many households, `flask datakesos demo` on PostgreSQL uses COPY by default.
BULK_THRESHOLD = 50_000
NATIONAL = "national"
#: Most rows one household can have in each table (app.demo: 2 family cards; head, spouse,
#: 6 children, a parent, another relative, a married child, the in-law and 3 grandchildren;
#: PBI JK and PIP per member, PKH and BPNT per family, RUTILAHU).
PER_HOUSEHOLD = {"household": 1, "family": 2, "member": 16, "program_membership": 36}


@dataclass
class BulkPlan:
    """What the workers need, fixed before they fork."""

    generator: Generator
    households: int
    bases: dict
    chunk: int


_PLAN: BulkPlan | None = None


def chunk_seed(seed: int, chunk: int) -> str:
    return f"datakesos-demo-bulk-{seed}-{chunk}"


def generate_bulk(
    households: int,
    seed: int = DEFAULT_SEED,
    regions: Sequence[str] | str = NATIONAL,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
) -> DemoResult:
    """Write `households` demo households through COPY in one transaction (PostgreSQL only);
    nothing when this seed's first household is already registered."""
    global _PLAN
    if households < 1:
        raise ValidationError(gettext("The number of households must be at least 1."), "households")
    if not is_postgresql():
        raise ValidationError(gettext("Bulk demo data needs PostgreSQL."), "bulk")
    if regions == NATIONAL or list(regions) == [NATIONAL]:
        generator = Generator(seed, (), regencies=national_regencies())
    else:
        generator = Generator(seed, regions)
    marker = generator.register_id(0, generator.pick_regency(random.Random(chunk_seed(seed, 0))))
    if db.session.scalar(sa.text("SELECT 1 FROM household WHERE register_id = :r"), {"r": marker}):
        return DemoResult(marker=marker, already_present=True)

    chunks = (households + chunk - 1) // chunk
    bases = dict(generator.next_id)
    _PLAN = BulkPlan(generator, households, bases, chunk)
    workers = workers or max(1, min(os.cpu_count() or 1, chunks))
    result = DemoResult(marker=marker)
    connection = db.session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        for setting in (
            "SET LOCAL synchronous_commit = off",
            "SET LOCAL maintenance_work_mem = '512MB'",
            "SET LOCAL work_mem = '256MB'",
        ):
            cursor.execute(setting)
        rebuild = _drop_indexes(cursor)
        with contextlib.ExitStack() as stack:
            results = map(_draw_chunk, range(chunks))
            if workers > 1:
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
                results = pool.imap(_draw_chunk, range(chunks))
            for count, streams, counts, by_program in results:
                for table in TABLES:
                    columns, text = streams[table]
                    if text:
                        cursor.copy_expert(
                            f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text)
                        )
                result.households += count
                result.families += counts["family"]
                result.members += counts["member"]
                result.memberships += counts["program_membership"]
                for code, number in by_program.items():
                    result.by_program[code] = result.by_program.get(code, 0) + number
                if on_progress:
                    on_progress(count)
        _redraw_repeated(cursor, bases)
        for statement in rebuild:
            cursor.execute(statement)
        advance_sequences()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _PLAN = None
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        for table in TABLES:
            autocommit.exec_driver_sql(f"ANALYZE {table}")
    return result


# -- in the worker processes ------------------------------------------------------------------
def _draw_chunk(index: int):
    plan = _PLAN
    generator = plan.generator
    start = index * plan.chunk
    count = min(plan.chunk, plan.households - start)
    generator.rng = random.Random(chunk_seed(generator.seed, index))
    first = {
        table: plan.bases[table] + index * plan.chunk * PER_HOUSEHOLD[table] for table in TABLES
    }
    generator.next_id = dict(first)
    batch = generator.batch(start, count)
    for table in TABLES:  # the blocks must not overlap the next chunk's
        assert generator.next_id[table] <= first[table] + plan.chunk * PER_HOUSEHOLD[table]
    streams = {}
    for table, rows in zip(
        TABLES, (batch.households, batch.families, batch.members, batch.memberships), strict=True
    ):
        streams[table] = copy_text(rows)
    by_program: dict[str, int] = {}
    for row in batch.memberships:
        code = generator.program_codes[row["program_id"]]
        by_program[code] = by_program.get(code, 0) + 1
    counts = {
        "family": len(batch.families),
        "member": len(batch.members),
        "program_membership": len(batch.memberships),
    }
    return count, streams, counts, by_program


# -- indexes and uniqueness (in the parent's transaction) -------------------------------------
def _drop_indexes(cursor) -> list[str]:
    """Drop the secondary indexes, unique and foreign-key constraints of the four tables and
    return the statements that build them again (unique and indexes first, foreign keys last).
    Primary keys stay: ids arrive in ascending order, so appending to them is cheap."""
    tables = list(TABLES)
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
        "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f') "
        "ORDER BY c.contype DESC, c.conname",
        (tables,),
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY i.indexrelid::regclass::text",
        (tables,),
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    rebuild = [definition for _name, definition in indexes]
    rebuild += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "u"
    ]
    rebuild += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return rebuild


#: (table, column, kept prefix length, SQL giving the new tail from id and round, condition)
_UNIQUE = (
    (
        "member",
        "nik",
        12,
        "lpad((5000 + (id::bigint * 7919 + %(round)s * 104729) %% 5000)::text, 4, '0')",
        "status IN ('ACTIVE', 'PROPOSED')",
    ),
    (
        "family",
        "kk_number",
        12,
        "lpad((1 + (id::bigint * 7919 + %(round)s * 104729) %% 9999)::text, 4, '0')",
        "true",
    ),
    (
        "household",
        "register_id",
        4,
        "lpad(((id::bigint * 7919 + %(round)s * 104729) %% 10000000000)::text, 10, '0')",
        "true",
    ),
)


def _redraw_repeated(cursor, bases: dict) -> None:
    """Give the later of two rows with the same NIK, KK number or register id a new tail,
    until none repeats. Only rows of this run (id ≥ its first id) are changed."""
    for table, column, keep, tail, condition in _UNIQUE:
        for round_number in range(1, 50):
            cursor.execute(
                f"UPDATE {table} t SET {column} = left(t.{column}, {keep}) || "
                f"{tail.replace('id::', 't.id::')} FROM ("
                f"SELECT id, row_number() OVER (PARTITION BY {column} ORDER BY id) AS n "
                f"FROM {table} WHERE {condition}) d "
                f"WHERE d.n > 1 AND t.id = d.id AND t.id >= %(first)s",
                {"round": round_number, "first": bases[table]},
            )
            if cursor.rowcount == 0:
                break
