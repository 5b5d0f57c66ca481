"""The welfare ranking inside the close at the benchmark's size (PMT score and decile of every
household in the snapshot INSERT, then the cut-offs, the deciles written back and the model
frozen) beside its bare SQL: one SELECT scoring and ranking every active household."""

from __future__ import annotations

import datetime
import time

from bench_close import bare_statements
from bench_common import Bench, Figure


def _bare_ranking_seconds() -> float:
    """The score and NTILE of every active household as one plain SELECT on the DBAPI."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from app.extensions import db
    from app.ranking import pmt_models, scoring
    from models import Household
    from models.enums import HouseholdStatus

    spec = pmt_models.spec_of(pmt_models.active_model().id)
    ranked = scoring.ranked(
        spec, datetime.date.today(), Household.status == HouseholdStatus.ACTIVE, False
    )
    query = sa.select(sa.func.count(), sa.func.sum(ranked.c.decile), sa.func.sum(ranked.c.score))
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()


def _ranking_part(timings: dict[str, float]) -> float:
    return sum(s for name, s in timings.items() if name.startswith(("snapshot: ", "ranking: ")))


def ranking(bench: Bench) -> list[Figure]:
    _bare_ranking_seconds()  # warm-up
    bare = _bare_ranking_seconds()
    ranked = bare_statements(with_ranking=True)
    unranked = bare_statements(with_ranking=False)
    inside = _ranking_part(ranked) - _ranking_part(unranked)
    return [
        Figure(
            "ranking",
            round(inside, 3),
            round(bare, 3),
            description=f"PMT score and decile of {bench.households:,} households inside the "
            "close (snapshot and ranking statements with the model minus without) vs. one bare "
            "SELECT scoring and ranking them",
            details={
                "close_statements_with_ranking": round(sum(ranked.values()), 3),
                "close_statements_without_ranking": round(sum(unranked.values()), 3),
                "ranking_statements": {
                    name: round(s, 3) for name, s in ranked.items() if name.startswith("ranking: ")
                },
                "eligibility_statements": round(
                    sum(s for n, s in ranked.items() if n.startswith("eligibility: ")), 3
                ),
            },
            goals=[("value", "<=", 30)],
        )
    ]
