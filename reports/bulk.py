"""Report jobs: certificates for every household of a village as one PDF, and the national
minutes of a closed period, both built off the request by queued jobs.

The console enqueues `bulk_certificates`; the scheduler process runs it (tests call
app.jobs.run_next). The job prints the certificate of each household of the determined
register (issued at its first print, reprinted after: one per household and period), lays the
certificates out in worker processes (one per core, REPORT_WORKERS at most), joins the parts
with `pdfunite` (poppler-utils) and keeps the PDF as a ReportFile for the requester's download.
Progress is written as it goes; a failure issues nothing (one transaction).

`period_minutes` prints and keeps the national minutes of a closed period (a ReportFile); the
close queues it (by its kind's name, app.periods.MINUTES_KIND), and the console queues it when a
national user first asks for them.

Both job kinds are registered by create_app (app/__init__.py) (create_app), so that every process
knows them; the PDF machinery (WeasyPrint) is imported only when a job runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import selectinload

from app import audit, jobs, offices
from app.extensions import db
from app.periods import MINUTES_KIND
from app.security.privacy import sees_full_nik
from models import Household, JobRun, Period, ProgramMembership, Region, RegionUser
from models.certificates import ReportFile
from models.enums import HouseholdStatus

log = logging.getLogger(__name__)

KIND = "bulk_certificates"
#: Certificates per unit of work handed to a worker: progress moves at this step.
CHUNK = 20
DEFAULT_MAX_WORKERS = 4


class BulkError(Exception):
    pass


def enqueue(village_code: str, base_url: str, user_id: int):
    return jobs.enqueue(
        KIND, {"village_code": village_code, "base_url": base_url}, requested_by_id=user_id
    )


def village_households(village_code: str) -> list[Household]:
    """Active households of the village with what a certificate prints, loaded in a few
    queries (not one per household)."""
    return list(
        db.session.scalars(
            sa.select(Household)
            .where(
                Household.village_code == village_code, Household.status == HouseholdStatus.ACTIVE
            )
            .options(
                selectinload(Household.members),
                selectinload(Household.families),
                selectinload(Household.head),
                selectinload(Household.memberships).selectinload(ProgramMembership.member),
                selectinload(Household.memberships).selectinload(ProgramMembership.family),
            )
            .order_by(Household.register_id)
        )
    )


def bulk_certificates(run, progress: Callable) -> dict:
    from reports import certificates

    village_code = (run.params or {}).get("village_code")
    village = db.session.get(Region, village_code) if village_code else None
    if village is None or village.level != 4:
        raise BulkError(f"unknown village {village_code!r}")
    user = db.session.get(RegionUser, run.requested_by_id) if run.requested_by_id else None
    printing = certificates.Printing(
        user_id=user.id if user else None,
        username=user.username if user else "system",
        full_nik=sees_full_nik(user) if user else False,
        base_url=(run.params or {}).get("base_url") or current_app.config.get("PUBLIC_URL") or "/",
    )
    households = village_households(village_code)
    periods = certificates.determined_periods([household.id for household in households])
    printable = [household for household in households if household.id in periods]
    total = len(printable)
    with force_locale("id"):
        progress(0, total=total, message=gettext("Preparing %(count)d certificates", count=total))
    if not printable:
        return {"certificates": 0, "skipped": len(households), "file_id": None}

    with force_locale("id"):
        rendering = gettext("Printing certificates")
    prepared = []
    # One certificate per household and period: those printed before are reprinted.
    issued = certificates.existing_certificates([household.id for household in printable])
    book = offices.AgendaBook()

    def documents():
        # Prepared while the workers start and lay out the chunks already handed to them.
        for household in printable:
            period = periods[household.id]
            item = certificates.prepare(
                household, period, printing, issued.get((household.id, period.id)), book
            )
            prepared.append(item)
            yield item.html
            item.html = None  # laid out by a worker: no need to keep it

    pdf = render_batch(
        documents(),
        workers=min(worker_count(), -(-total // CHUNK)),
        on_progress=lambda done: progress(done, message=rendering),
    )

    # Progress is written on its own connection: say the last word before this session writes
    # (SQLite lets one connection write at a time).
    with force_locale("id"):
        progress(total, message=gettext("Saving the certificates"))
    who = (printing.user_id, printing.username, None)
    stored = [certificates.store(item, printing, job_run_id=run.id) for item in prepared]
    db.session.flush()
    audit.record_many(
        [
            certificates.audit_entry(item, certificate, run.id, who)
            for item, certificate in zip(prepared, stored, strict=True)
        ]
    )
    report = ReportFile(
        job_run_id=run.id,
        kind=KIND,
        region_code=village_code,
        filename=f"surat-keterangan-{village_code.replace('.', '')}.pdf",
        media_type="application/pdf",
        size=len(pdf),
        content=pdf,
    )
    db.session.add(report)
    db.session.flush()
    return {
        "certificates": total,
        "reprinted": sum(1 for item in prepared if item.certificate is not None),
        "skipped": len(households) - total,
        "file_id": report.id,
        "size": len(pdf),
    }


def request_minutes(period_id: int, user_id: int | None) -> JobRun:
    """Queue the national minutes of a period, unless they are already queued or printing."""
    return jobs.enqueue_once(MINUTES_KIND, {"period_id": period_id}, requested_by_id=user_id)


def period_minutes(run, progress: Callable) -> dict:
    from reports import minutes

    period = db.session.get(Period, (run.params or {}).get("period_id"))
    if period is None:
        raise BulkError(f"unknown period {(run.params or {}).get('period_id')!r}")
    with force_locale("id"):
        progress(
            0, total=1, message=gettext("Printing the minutes of %(period)s", period=period.code)
        )
    report = minutes.store_minutes(period, job_run_id=run.id)
    db.session.flush()
    return {"file_id": report.id, "size": report.size, "period": period.code}


def worker_count() -> int:
    configured = current_app.config.get("REPORT_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, DEFAULT_MAX_WORKERS))


def render_batch(
    htmls: Iterable[str],
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> bytes:
    """Documents laid out `chunk` at a time by `workers` processes, joined in their order.
    `htmls` may be a generator: each chunk is handed out as soon as it is complete. A worker
    process runs `renderer.htmls_to_pdf` only: it imports neither the app nor the database."""
    from reports import renderer

    if workers <= 1 or not shutil.which("pdfunite"):
        return _render_here(list(htmls), renderer, on_progress, chunk)
    parts: dict[int, bytes] = {}
    sizes: dict[int, int] = {}
    done = 0

    def collect(futures, block: bool) -> None:
        nonlocal done
        for future in list(futures):
            if block or future.done():
                index = futures.pop(future)
                parts[index] = future.result()
                done += sizes[index]
                if on_progress:
                    on_progress(done)

    # spawn, not fork: the scheduler process has threads and open database connections.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures: dict = {}
        for index, part in enumerate(_chunks(htmls, chunk)):
            sizes[index] = len(part)
            futures[pool.submit(renderer.htmls_to_pdf, part)] = index
            collect(futures, block=False)
        for future in as_completed(list(futures)):
            collect({future: futures.pop(future)}, block=True)
    ordered = [parts[index] for index in sorted(parts)]
    if not ordered:
        raise ValueError("no documents to print")
    return ordered[0] if len(ordered) == 1 else join_pdfs(ordered)


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    part: list[str] = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def _render_here(htmls: list[str], renderer, on_progress, chunk: int) -> bytes:
    """In this process; without pdfunite the documents make one part, not several."""
    if not htmls:
        raise ValueError("no documents to print")
    size = chunk if shutil.which("pdfunite") else len(htmls)
    parts, done = [], 0
    for part in _chunks(htmls, size):
        parts.append(renderer.htmls_to_pdf(part))
        done += len(part)
        if on_progress:
            on_progress(done)
    return parts[0] if len(parts) == 1 else join_pdfs(parts)


def join_pdfs(parts: list[bytes]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="datakesos-bulk-") as directory:
        names = []
        for index, part in enumerate(parts):
            path = Path(directory) / f"part-{index:05d}.pdf"
            path.write_bytes(part)
            names.append(str(path))
        target = Path(directory) / "joined.pdf"
        subprocess.run(
            ["pdfunite", *names, str(target)], check=True, capture_output=True, timeout=600
        )
        return target.read_bytes()
