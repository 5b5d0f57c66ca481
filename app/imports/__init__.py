"""Bulk import of households with their families and members from a CSV file (docs/import-
format.md). Every door — `flask datakesos import`, the upload page's job — calls `run_import`:

    read (encoding, delimiter, header) → validate every row → apply in one transaction

Any problem in any row: nothing is written and the result lists (row, column, message) for the
error report. Warnings — a NIK that disagrees with the birth date, a likely duplicate
(app.imports.duplicates) — are listed alike and do not stop the import, unless the file has too
many likely duplicates. The same file imported again changes nothing: households are matched by
register ID, families by KK number and members by NIK; a changed value updates the record (new
version, audited), an unchanged one is left alone."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import audit
from app.errors import DomainError
from app.extensions import db
from app.formatting import number
from app.imports import reading, validation, writing
from app.imports.plan import Importer
from app.imports.writing import Counts
from app.proposals import PROPOSER_ROLES, NotAllowed
from app.security.roles import ADMIN, role_names

__all__ = ["Importer", "ImportResult", "importer_for", "run_import", "IMPORT_ROLES"]

#: Roles that import (DESIGN §4): those who propose — an Operator in their regency, an Admin
#: anywhere.
IMPORT_ROLES = PROPOSER_ROLES


@dataclass
class ImportResult:
    filename: str
    rows: int = 0
    counts: Counts = field(default_factory=Counts)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_count: int = 0
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    warning_count: int = 0
    dry_run: bool = False
    applied: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "rows": self.rows,
            "counts": self.counts.as_dict(),
            "changes": self.counts.changes,
            "errors": [list(e) for e in self.errors],
            "error_count": self.error_count,
            "warnings": [list(w) for w in self.warnings],
            "warning_count": self.warning_count,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "seconds": self.seconds,
        }


def importer_for(user, ip_address: str | None = None) -> Importer:
    """The importing user's rights; the system itself (no user) imports like an Admin."""
    from app.security.scope import NOTHING, scope_of

    if user is None:
        return Importer(None, "system", "", True, ip_address)
    roles = role_names(user)
    if not user.active or not roles & IMPORT_ROLES:
        raise NotAllowed(gettext("Only operators and administrators import households."))
    region = scope_of(user)
    if region == NOTHING:
        raise NotAllowed(gettext("Your account has no region: ask an administrator."))
    return Importer(user.id, user.username, region, ADMIN in roles, ip_address)


def limits() -> tuple[int, int]:
    return current_app.config["IMPORT_MAX_BYTES"], current_app.config["IMPORT_MAX_ROWS"]


def run_import(
    data: bytes,
    filename: str,
    importer: Importer,
    dry_run: bool = False,
    progress: Callable | None = None,
    job_id: int | None = None,
) -> ImportResult:
    """Validate and (unless `dry_run` or anything is wrong) apply the file in one transaction.
    `progress(done, total, message)` is told how far it got, in percent."""
    # Hundreds of thousands of small objects that all live until the end: the cyclic garbage
    # collector would walk them again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_import(data, filename, importer, dry_run, progress, job_id)
    finally:
        if collecting:
            gc.enable()


def _run_import(data, filename, importer, dry_run, progress, job_id) -> ImportResult:
    started = time.perf_counter()
    result = ImportResult(filename=filename, dry_run=dry_run)
    report = _Progress(progress)
    max_bytes, max_rows = limits()
    try:
        if len(data) > max_bytes:
            raise reading.FileRefused(
                gettext(
                    "The file is larger than the limit of %(size)s MB: split it into "
                    "smaller files.",
                    size=number(round(max_bytes / (1024 * 1024), 1)),
                ),
                "file",
            )
        report(0, gettext("Reading the file"))
        header, rows = reading.read(reading.decode(data), max_rows)
    except reading.FileRefused as error:
        result.errors, result.error_count = [(1, error.field or "file", error.message)], 1
        return _finish(result, importer, started, job_id)
    plan = validation.validate(
        header,
        rows,
        importer,
        progress=lambda done, total: report(
            50 * done // max(total, 1), gettext("Checking the rows")
        ),
    )
    result.rows, result.warnings, result.warning_count = (
        plan.rows,
        plan.warnings,
        plan.warning_count,
    )
    result.errors, result.error_count = plan.errors, plan.error_count
    if plan.error_count:
        db.session.rollback()
        return _finish(result, importer, started, job_id)
    if dry_run:
        result.counts = writing.Changes(plan, importer).counts
        db.session.rollback()
        return _finish(result, importer, started, job_id)
    try:
        result.counts = writing.apply(
            plan,
            importer,
            progress=lambda step, steps, message: report(50 + 50 * step // steps, message),
        )
        _audit_import(result, importer, job_id)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Someone saved the same NIK, KK number or register ID since the rows were checked.
        db.session.rollback()
        result.errors, result.error_count = (
            [
                (
                    1,
                    "file",
                    gettext(
                        "Someone else saved a record with the same NIK or KK number at the same "
                        "time. Nothing was saved: check the data and try again."
                    ),
                )
            ],
            1,
        )
        return _finish(result, importer, started, job_id)
    except DomainError as error:  # no open period for proposals, a record changed meanwhile
        db.session.rollback()
        result.errors, result.error_count = [(1, error.field or "file", error.message)], 1
        return _finish(result, importer, started, job_id)
    except BaseException:
        db.session.rollback()
        raise
    result.applied = True
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _finish(result: ImportResult, importer: Importer, started: float, job_id) -> ImportResult:
    """A refused file or a dry run: nothing is written but the attempt is audited."""
    result.seconds = round(time.perf_counter() - started, 3)
    _audit_import(result, importer, job_id)
    db.session.commit()
    return result


def _audit_import(result: ImportResult, importer: Importer, job_id) -> None:
    action = (
        "import"
        if result.ok and not result.dry_run
        else "import_checked"
        if result.ok
        else "import_refused"
    )
    audit.record_many(
        [
            audit.entry(
                action,
                "import",
                job_id,
                region_code=importer.scope or None,
                after={
                    "file": result.filename,
                    "rows": result.rows,
                    "counts": result.counts.as_dict(),
                    "errors": result.error_count,
                },
                who=(importer.user_id, importer.username, importer.ip_address),
            )
        ]
    )


class _Progress:
    def __init__(self, callback):
        self.callback = callback
        self.last = -1

    def __call__(self, percent: int, message: str) -> None:
        if self.callback and percent != self.last:
            self.last = percent
            self.callback(percent, 100, message)
