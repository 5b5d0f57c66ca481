"""Printed documents (reports/): one certificate, and a village's certificates as one batch."""

from __future__ import annotations

import statistics
import time

from bench_common import Bench, Figure, config_changed

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

    period_id = db.session.scalar(
        sa.select(Period.id)
        .where(Period.status == PeriodStatus.CLOSED)
        .order_by(Period.code.desc())
        .limit(1)
    )
    query = (
        sa.select(Household)
        .join(
            PeriodSnapshot,
            sa.and_(
                PeriodSnapshot.household_id == Household.id, PeriodSnapshot.period_id == period_id
            ),
        )
        .where(Household.status == HouseholdStatus.ACTIVE)
        .order_by(Household.id)
        .limit(limit)
    )
    if village:
        query = query.where(Household.village_code == village)
    else:
        query = query.where(Household.village_code.startswith("32.73."))
    return list(db.session.scalars(query))


def certificate(bench: Bench) -> list[Figure]:
    """One registration certificate as the console prints it (data, code, PDF, stored and
    audited) vs. a blank page with the same letterhead and footer (WeasyPrint's fixed cost)."""
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
        printing = certificates.Printing(
            operator.id, operator.username, True, "http://127.0.0.1:8080/"
        )
        certificates.issue_certificate(households[0], printing)  # warm-up: fonts, stylesheet
        for household in households[1:]:
            started = time.perf_counter()
            pdf, _certificate = certificates.issue_certificate(household, printing)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            renderer.render_pdf(
                "base.html", {**renderer.page_context(operator.username), "title": "bench"}
            )
            blank.append(time.perf_counter() - started)
    return [
        Figure(
            "certificate",
            round(statistics.median(times), 3),
            round(statistics.median(blank), 3),
            description=f"median of {len(times)} certificates (goal: at most 0.300 s) vs. a blank "
            "letterhead page",
            details={
                "max": round(max(times), 3),
                "min": round(min(times), 3),
                "pdf_bytes": len(pdf),
            },
            goals=[("value", "<=", 0.300)],
        )
    ]


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
    period_id = db.session.scalar(
        sa.select(Period.id)
        .where(Period.status == PeriodStatus.CLOSED)
        .order_by(Period.code.desc())
        .limit(1)
    )
    counts = db.session.execute(
        sa.select(Household.village_code, sa.func.count())
        .join(
            PeriodSnapshot,
            sa.and_(
                PeriodSnapshot.household_id == Household.id, PeriodSnapshot.period_id == period_id
            ),
        )
        .where(
            Household.status == HouseholdStatus.ACTIVE, Household.village_code.startswith("32.73.")
        )
        .group_by(Household.village_code)
    ).all()
    if not counts:
        raise SystemExit("no household of Kota Bandung in a closed period")
    village, size = min(counts, key=lambda row: (abs(row[1] - BATCH_HOUSEHOLDS), row[0]))
    operator = app.appbuilder.sm.find_user(username="operator.bandung")
    seconds, processes = {}, {}
    for workers in (None, 1):
        with config_changed(app, REPORT_WORKERS=workers):
            bulk.enqueue(village, "http://127.0.0.1:8080/", operator.id)
            started = time.perf_counter()
            run = jobs.run_next(bulk.KIND)
            seconds[workers] = time.perf_counter() - started
            processes[workers] = bulk.worker_count()
        if run.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"bulk_certificates failed: {run.error}")
    scale = BATCH_HOUSEHOLDS / size
    return [
        Figure(
            "certificates_village_batch",
            round(seconds[None] * scale, 3),
            round(seconds[1] * scale, 3),
            description=f"{BATCH_HOUSEHOLDS}-household village batch on {processes[None]} "
            "worker processes (goal: at most 30 s) vs. one process",
            details={
                "village": village,
                "households": size,
                "seconds_measured": round(seconds[None], 3),
                "seconds_one_process": round(seconds[1], 3),
                "pdf_bytes": run.result.get("size"),
            },
            goals=[("value", "<=", 30)],
        )
    ]
