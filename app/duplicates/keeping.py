"""Blocking keys kept fresh as records are written, so the write doors' check (app.duplicates.check)
meets a person saved a minute ago, not only those of the last scan.

`install(db)` (called by create_app) listens to the session's flushes: the keys of every member
added or changed in what the keys are made of — and of every member of a household whose
village or status changed — are replaced on the flush's connection, in the flush's
transaction. Bulk writers (the import, the
demo) call `refresh(connection, member_ids)` themselves; the scan refreshes a whole region.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from app.duplicates import keys
from app.duplicates.people import living_members
from models import DuplicateKey, Household, Member

BATCH = 5_000


def install(db) -> None:
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)


#: What the keys are made of: a save that changes none of these leaves the keys alone.
MEMBER_KEYED = ("nik", "full_name", "birth_date", "status", "household_id")
HOUSEHOLD_KEYED = ("village_code", "status")


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session, _flush_context) -> None:
    members = {obj.id for obj in session.new if isinstance(obj, Member)}
    members |= {
        obj.id for obj in session.dirty if isinstance(obj, Member) and _changed(obj, MEMBER_KEYED)
    }
    households = {
        obj.id
        for obj in session.dirty
        if isinstance(obj, Household) and _changed(obj, HOUSEHOLD_KEYED)
    }
    if households:
        members |= set(
            session.connection().scalars(
                sa.select(Member.id).where(Member.household_id.in_(households))
            )
        )
    members.discard(None)
    if members:
        refresh(session.connection(), sorted(members))


def key_rows(member) -> list[dict]:
    return [
        {"member_id": member.id, "kind": kind, "key": key, "village_code": member.village_code}
        for kind, key in keys.keys_of(
            member.nik, member.full_name, member.birth_date, member.village_code
        )
    ]


def write(connection, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(sa.insert(DuplicateKey.__table__), rows[start : start + BATCH])


def refresh(connection, member_ids: list[int]) -> None:
    """Replace the keys of these members: living ones get their keys, the others none."""
    table = DuplicateKey.__table__
    for start in range(0, len(member_ids), BATCH):
        chunk = member_ids[start : start + BATCH]
        connection.execute(sa.delete(table).where(table.c.member_id.in_(chunk)))
        rows = []
        for member in connection.execute(living_members("").where(Member.id.in_(chunk))):
            rows.extend(key_rows(member))
        write(connection, rows)
