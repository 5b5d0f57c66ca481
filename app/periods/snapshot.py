"""The snapshot's fingerprint: `snapshot_hash(period_id)` lets anyone check that two closes of
the same register (a rerun after a crash, another database) wrote the same snapshot."""

import hashlib

import sqlalchemy as sa

from app.extensions import db
from models import PeriodSnapshot, PeriodSnapshotProgram, PmtModel, Program


def snapshot_hash(period_id: int, connection=None) -> str:
    """A SHA-256 fingerprint of a period's snapshot (households with their ranking, and their
    program recipients),
    independent of row order and of surrogate ids, so two databases holding the same register
    give the same hash. Rows are streamed; nothing is held in memory."""
    connection = connection or db.session.connection()
    households = (
        sa.select(
            PeriodSnapshot.register_id,
            PeriodSnapshot.village_code,
            PeriodSnapshot.welfare_decile,
            PeriodSnapshot.family_count,
            PeriodSnapshot.member_count,
            PeriodSnapshot.model_decile,
            PeriodSnapshot.pmt_score,
            PmtModel.version,
            PeriodSnapshot.pmt_values,
        )
        .outerjoin(PmtModel, PmtModel.id == PeriodSnapshot.pmt_model_id)
        .where(PeriodSnapshot.period_id == period_id)
    )
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
        for row in connection.execute(query.execution_options(yield_per=10_000)):
            line = tag + "|" + "|".join(_text(value) for value in row)
            total = (
                total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")
            ) % modulus
            count += 1
        counts.append(count)
    return hashlib.sha256(f"{counts[0]}|{counts[1]}|{total:064x}".encode()).hexdigest()


def _text(value) -> str:
    # Scores to 9 decimals: the same register gives the same line on SQLite and PostgreSQL,
    # whose last binary digits of a sum of 39 products may differ.
    if value is None:
        return ""
    return f"{value:.9f}" if isinstance(value, float) else str(value)
