"""The duplicate scan (app.duplicates.scanning) of one regency, Kota Bandung, beside the blocking
SQL alone (the candidate-pair query the scan runs), with the national scan extrapolated from
the regency's seconds per person."""

from __future__ import annotations

import time

from bench_common import Bench, Figure

REGENCY = "32.73"


def duplicate_scan(bench: Bench) -> list[Figure]:
    import sqlalchemy as sa

    from app.duplicates import scanning
    from app.extensions import db
    from models import Member

    result = scanning.scan(REGENCY)
    started = time.perf_counter()
    pairs = scanning.candidate_pairs(REGENCY)  # the scan's own query, bare
    blocking = time.perf_counter() - started
    national = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    per_person = result.seconds / max(1, result.members)
    estimate = round(per_person * national, 1)
    return [
        Figure(
            "duplicate_scan",
            round(result.seconds, 3),
            round(blocking, 3),
            description=(
                f"duplicate scan of Kota Bandung ({result.members:,} people: keys, blocking, "
                "scoring, merge) vs. its blocking SQL alone"
            ),
            details={
                "people": result.members,
                "pairs": result.pairs,
                "pairs_again": len(pairs),
                "likely": result.likely,
                "possible": result.possible,
                "people_in_register": national,
                "national_estimate_s": estimate,
            },
            goals=[("value", "<=", 60)],
        ),
        Figure(
            "duplicate_scan_national_estimate",
            estimate,
            None,
            description="the national scan, extrapolated from Kota Bandung's seconds per person",
            goals=[("value", "<=", 1800)],
        ),
    ]
