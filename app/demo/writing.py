"""Writing demo households on any database: batches of plain Core inserts (no ORM objects) in
one transaction, with the counts of what was written (app.demo.bulk is the COPY path)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext

from app.demo.generator import DEFAULT_SEED, TABLES, Generator
from app.demo.places import DEFAULT_REGIONS
from app.duplicates import keeping
from app.errors import ValidationError
from app.extensions import db, is_postgresql

BATCH_SIZE = 500


@dataclass
class DemoResult:
    households: int = 0
    families: int = 0
    members: int = 0
    memberships: int = 0
    #: Register id of the run's first household: the marker that makes a second run a no-op.
    marker: str = ""
    already_present: bool = False
    by_program: dict = field(default_factory=dict)


def generate(
    households: int,
    seed: int = DEFAULT_SEED,
    regions: Sequence[str] = DEFAULT_REGIONS,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DemoResult:
    """Write `households` demo households (with families, members, memberships) in one
    transaction; nothing when this seed's first household is already registered."""
    if households < 1:
        raise ValidationError(gettext("The number of households must be at least 1."), "households")
    generator = Generator(seed, regions)
    marker = generator.existing_marker()
    if marker:
        return DemoResult(marker=marker, already_present=True)
    result = DemoResult()
    try:
        for start in range(0, households, batch_size):
            count = min(batch_size, households - start)
            batch = generator.batch(start, count)
            generator.make_unique(batch, households)
            batch.insert()
            _key_members(batch)
            if start == 0:
                result.marker = batch.households[0]["register_id"]
            result.households += count
            result.families += len(batch.families)
            result.members += len(batch.members)
            result.memberships += len(batch.memberships)
            for row in batch.memberships:
                code = generator.program_codes[row["program_id"]]
                result.by_program[code] = result.by_program.get(code, 0) + 1
            if on_progress:
                on_progress(count)
        advance_sequences()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _key_members(batch) -> None:
    """The duplicate finder's blocking keys of the batch's people (app.duplicates.keeping), so
    the write doors' check meets them before any scan; the bulk COPY path leaves that to the
    first scan."""
    villages = {row["id"]: row["village_code"] for row in batch.households}
    rows = []
    for member in batch.members:
        person = SimpleNamespace(**member, village_code=villages[member["household_id"]])
        rows.extend(keeping.key_rows(person))
    keeping.write(db.session.connection(), rows)


def existing_marker(seed: int = DEFAULT_SEED, regions: Sequence[str] = DEFAULT_REGIONS) -> str:
    """The register id showing this seed's demo data is already present, or ""."""
    return Generator(seed, regions).existing_marker()


def advance_sequences() -> None:
    """PostgreSQL keeps its own counters for serial ids; move them past the ids we assigned."""
    if not is_postgresql():
        return
    for table in TABLES:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )
