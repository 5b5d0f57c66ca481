"""Locks that hold across worker processes and end with the process that holds them: a file
lock beside the SQLite database (PostgreSQL code uses advisory locks on its own connection)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


def sqlite_lock_path(engine, name: str) -> Path | None:
    """A lock file beside the SQLite database file (None for an in-memory database)."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}.{name}.lock")


@contextlib.contextmanager
def file_lock(path: Path | None, blocking: bool) -> Iterator[bool]:
    """An exclusive flock; yields False when `blocking` is off and another process holds it.
    The operating system releases it when the process dies."""
    if path is None:
        yield True
        return
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
