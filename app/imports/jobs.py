"""The upload page's door: the file is kept in the instance folder and imported by a queued
job in the scheduler process (app.jobs), with progress for the console; its result (counts, or
the problems for the error report) is kept on the job row, for its owner only."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask_babel import gettext

from app import jobs
from app.errors import DomainError
from app.extensions import db, is_postgresql
from app.imports import ImportResult, importer_for, run_import
from models import RegionUser

KIND = "import_households"


def upload_folder() -> Path:
    from config import INSTANCE_DIR

    folder = INSTANCE_DIR / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def enqueue(data: bytes, filename: str, user, ip_address: str | None = None):
    """Keep the file and queue its import; the importing rights are checked now and again when
    the job runs."""
    importer_for(user, ip_address)
    token = secrets.token_hex(16)
    (upload_folder() / f"{token}.csv").write_bytes(data)
    return jobs.enqueue(
        KIND,
        {"file": token, "filename": filename[:200], "ip_address": ip_address, "bytes": len(data)},
        requested_by_id=user.id,
    )


def import_households(run, progress) -> dict:
    """The KIND job (registered by create_app (app/__init__.py)): import the uploaded file."""
    params = run.params or {}
    path = upload_folder() / f"{params.get('file')}.csv"
    filename = params.get("filename") or path.name
    try:
        user = db.session.get(RegionUser, run.requested_by_id) if run.requested_by_id else None
        importer = importer_for(user, params.get("ip_address"))
        result = run_import(
            path.read_bytes(), filename, importer, progress=_reported(progress), job_id=run.id
        )
    except DomainError as error:
        db.session.rollback()
        result = ImportResult(
            filename=filename, errors=[(1, error.field or "file", error.message)], error_count=1
        )
    except FileNotFoundError:
        result = ImportResult(
            filename=filename,
            error_count=1,
            errors=[(1, "file", gettext("The uploaded file is no longer there: upload it again."))],
        )
    finally:
        path.unlink(missing_ok=True)
    return result.as_dict()


def _reported(progress):
    """The job's progress is written on a connection of its own; on SQLite that would wait for
    the import's write transaction, so there only the checking half (up to 50 %) is shown."""
    if is_postgresql():
        return progress
    return lambda done, total, message: progress(done, total, message) if done <= 50 else None
