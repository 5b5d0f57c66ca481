"""The snapshot's fingerprint: `snapshot_hash(period_id)` lets anyone check that two closes of
the same register (a rerun after a crash, another database) wrote the same snapshot."""

import hashlib

import sqlalchemy as sa

from app.extensions import db
from models import PeriodSnapshot, PeriodSnapshotProgram, Program


def snapshot_hash(period_id: int, connection=None) -> str:
    """A SHA-256 fingerprint of a period's snapshot (households and their program recipients),
    independent of row order and of surrogate ids, so two databases holding the same register
    give the same hash. Rows are streamed; nothing is held in memory."""
    connection = connection or db.session.connection()
    households = sa.select(
        PeriodSnapshot.register_id,
        PeriodSnapshot.village_code,
        PeriodSnapshot.welfare_decile,
        PeriodSnapshot.family_count,
        PeriodSnapshot.member_count,
    ).where(PeriodSnapshot.period_id == period_id)
    programs = (
        sa.select(PeriodSnapshot.register_id, Program.code, PeriodSnapshotProgram.recipients)
        .join(
            PeriodSnapshot,
            sa.and_(
                PeriodSnapshot.period_id == PeriodSnapshotProgram.period_id,
                PeriodSnapshot.household_id == PeriodSnapshotProgram.household_id,
            ),
        )
        .join(Program, Program.id == PeriodSnapshotProgram.program_id)
        .where(PeriodSnapshotProgram.period_id == period_id)
    )
    modulus = 1 << 256
    total, counts = 0, []
    for tag, query in (("h", households), ("p", programs)):
        count = 0
        for row in connection.execution_options(yield_per=10_000).execute(query):
            line = tag + "|" + "|".join("" if value is None else str(value) for value in row)
            total = (
                total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")
            ) % modulus
            count += 1
        counts.append(count)
    return hashlib.sha256(f"{counts[0]}|{counts[1]}|{total:064x}".encode()).hexdigest()
