"""How many exports one user may run at once (EXPORT_MAX_CONCURRENT), counted across every
worker process, and never left taken by a download that ended badly or a process that died.

An export holds one of the user's slots, numbered 0 … limit-1, for the length of its download;
a user whose slots are all held is refused with a message, at once (nothing waits for a slot).

- PostgreSQL: the slot is a transaction-level advisory lock, pg_try_advisory_xact_lock(
  SLOT_LOCK_CLASS + slot, user id), taken in the export's own transaction, which stays open
  while the rows stream through its server-side cursor. It ends with that transaction: the
  export's rollback when the download finishes, fails or is dropped, the pool's rollback if a
  connection is ever abandoned, the server when the process dies. A session-level lock could
  outlive its download on a pooled connection (a rollback does not release it) and breaks
  behind PgBouncer in transaction mode; a transaction-level one can do neither. A session may
  take a lock it already holds, so each export takes its slot on a connection of its own.
- SQLite: an exclusive flock on one file per user and slot beside the database file (as the
  period close and the scheduler lock): released when the export closes the file, and by the
  operating system when the process dies. SQLite serves one machine, so a file lock is enough.
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import DomainError
from app.locks import file_lock, sqlite_lock_path

#: The first key of the two-key advisory locks ("DkEx"); the slot number is added to it. The
#: two-key form has its own key space: no clash with the bigint keys of the close and scheduler.
SLOT_LOCK_CLASS = 0x446B4578


class TooManyExports(DomainError):
    status = 429


def refusal(limit: int) -> TooManyExports:
    return TooManyExports(
        gettext(
            "You already have %(limit)s exports running, the most one user may run at once. "
            "Wait until one of them has finished downloading, then export again.",
            limit=limit,
        )
    )


def take(connection: sa.Connection, user_id: int, limit: int) -> contextlib.ExitStack:
    """Take a free slot of this user: what is returned holds it until it is closed (on
    PostgreSQL until the connection's transaction ends as well). `limit` 0: no limit.
    Raises TooManyExports when every slot is held."""
    held = contextlib.ExitStack()
    if limit <= 0:
        return held
    if connection.dialect.name == "postgresql":
        for slot in range(limit):
            if connection.scalar(
                sa.select(
                    sa.func.pg_try_advisory_xact_lock(
                        sa.literal(SLOT_LOCK_CLASS + slot, sa.Integer),
                        sa.literal(user_id, sa.Integer),
                    )
                )
            ):
                return held
        raise refusal(limit)
    for slot in range(limit):
        path = sqlite_lock_path(connection.engine, f"export-{user_id}-{slot}")
        if held.enter_context(file_lock(path, blocking=False)):
            return held
        held.close()
    raise refusal(limit)
