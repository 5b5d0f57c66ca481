"""The period close at the benchmark's size beside the bare SQL statements it needs
(app.periods.statements, run one after the other on a plain connection and rolled back)."""

from __future__ import annotations

import contextlib
import datetime
import os
import time

from bench_common import Bench, Figure


def bare_statements(bench: Bench | None = None, with_ranking: bool = True) -> dict[str, float]:
    """Seconds per statement of the close, run bare in one transaction that is rolled back;
    without the PMT ranking (as if no model were active) when `with_ranking` is false."""
    import dataclasses

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
                sa.select(Period).where(Period.status == PeriodStatus.OPEN)
            ).first()
            context = periods.close_context(connection, period, datetime.datetime.now())
            if not with_ranking:
                context = dataclasses.replace(context, ranking=None)
            for statement in periods.statements(context):
                started = time.perf_counter()
                statement.run(connection)
                timings[f"{statement.step}: {statement.name}"] = time.perf_counter() - started
        finally:
            transaction.rollback()
    return timings


def period_close(bench: Bench) -> list[Figure]:
    import sqlalchemy as sa

    from app import periods
    from app.extensions import db
    from models import Household, PeriodSnapshot
    from models.enums import HouseholdStatus

    bare_statements(bench)  # warm-up: both measured runs find the same cache
    bare = bare_statements(bench)
    # The benchmark closes the open period on whatever day it runs: an early close, said so.
    # On a kept database that is the period after the last measured one, not started yet: it is
    # closed as on its last day (the test hook app.clock.TODAY_ENV), as it would be for real.
    with _on_the_last_day_of_a_future_period():
        result = periods.close_period(early_reason="benchmark run of the close, before its end")
    if not result.closed:
        raise SystemExit(f"the close did nothing: {result.message}")
    code = result.period_code
    period_id = periods.period_by_code(code).id
    rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PeriodSnapshot)
        .where(PeriodSnapshot.period_id == period_id)
    )
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Household)
        .where(Household.status == HouseholdStatus.ACTIVE)
    )
    assert rows == active == result.households, (rows, active, result.households)
    bare_total = sum(bare.values())
    details = {
        "period": code,
        "snapshot_rows": rows,
        "families": result.families,
        "people": result.people,
        "program_recipients": result.program_recipients,
        "corrections": result.corrections,
        "new_proposals": result.new_proposals,
        "applied": result.applied,
        "bare_statements": {name: round(seconds, 4) for name, seconds in bare.items()},
    }
    figures = [
        Figure(
            "period_close",
            round(result.seconds, 3),
            round(bare_total, 3),
            description=f"close of period {code} at {bench.households:,} households vs. its bare "
            "SQL statements",
            details=details,
            goals=[("value", "<=", 60), ("ratio", "<=", 1.5)],
        )
    ]
    for step, _label in periods.STEPS:
        step_bare = sum(seconds for name, seconds in bare.items() if name.startswith(step + ": "))
        figures.append(
            Figure(
                f"period_close.{step}",
                round(result.step_seconds.get(step, 0.0), 3),
                round(step_bare, 3),
                description=f"step {step!r} inside the close vs. bare",
            )
        )
    return figures


@contextlib.contextmanager
def _on_the_last_day_of_a_future_period():
    from app import clock
    from app.register.reference import open_period

    period = open_period()
    if period is None or period.start_date <= clock.today():
        yield
        return
    os.environ[clock.TODAY_ENV] = period.end_date.isoformat()
    try:
        yield
    finally:
        os.environ.pop(clock.TODAY_ENV, None)
