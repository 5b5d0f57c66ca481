"""The one duplicate check of every write door: forms, the API and proposals through
app.register.households.check_member (`warnings_for`), the import through app.imports.duplicates,
which blocks and scores a whole file set-based with the same rule (`is_likely`) and words its
warnings with the same messages (`in_scope_warning`, `outside_warning`).

An exact NIK stays an error (app.register.identity); a likely duplicate is a warning. Within the
user's region it names the other record; outside it says only that one exists elsewhere, and
each such answer is counted against the user's conflict allowance (app.security.lookups) — once
it is used up the hint is left out, and the scan still puts the pair before a verifier.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app.duplicates import keys, scoring
from app.duplicates.people import living_members, person
from app.extensions import db
from app.security import lookups, privacy
from app.security.scope import current_scope, in_scope
from models import DuplicateKey, Member

#: The most members one check compares (the blocks of a person's keys, at most a few each).
MOST_COMPARED = 200


def person_of(
    nik: str,
    full_name: str,
    birth_date: datetime.date,
    sex,
    village_code: str | None,
    member_id: int | None = None,
    kk_number: str | None = None,
    address: str | None = None,
) -> scoring.Person:
    """The person a write door saves, as the comparison reads them."""
    return scoring.Person(
        id=member_id or 0,
        nik=nik,
        full_name=full_name,
        birth_date=birth_date,
        sex=getattr(sex, "name", str(sex)),
        village_code=village_code,
        kk_number=kk_number,
        address=address,
    )


def is_likely(me: scoring.Person, other: scoring.Person) -> bool:
    """Whether `other` is likely `me`: another NIK (the same one is the identity check's
    error, or the record itself) and a score at DUPLICATE_LIKELY_SCORE or above."""
    return (
        other.nik != me.nik
        and scoring.score(me, other).points >= current_app.config["DUPLICATE_LIKELY_SCORE"]
    )


def likely_duplicates(
    nik: str,
    full_name: str,
    birth_date: datetime.date | None,
    sex,
    village_code: str | None,
    member_id: int | None = None,
    kk_number: str | None = None,
    address: str | None = None,
) -> list:
    """Living members who are likely this person (their rows: name, NIK, household…)."""
    if not (nik and full_name and birth_date and village_code):
        return []
    wanted = keys.keys_of(nik, full_name, birth_date, village_code)
    table = DuplicateKey.__table__
    ids = db.session.scalars(
        sa.select(table.c.member_id)
        .where(sa.tuple_(table.c.kind, table.c.key).in_(wanted))
        .where(table.c.member_id != (member_id or 0))
        .distinct()
        .limit(MOST_COMPARED)
    ).all()
    if not ids:
        return []
    me = person_of(
        nik, full_name, birth_date, sex, village_code, member_id, kk_number, address=address
    )
    return [
        row
        for row in db.session.execute(living_members("").where(Member.id.in_(ids)))
        if is_likely(me, person(row))
    ]


def in_scope_warning(row) -> str:
    """The warning naming a likely duplicate the user may see (a living_members row)."""
    return gettext(
        "Likely duplicate of %(name)s (NIK %(nik)s, household %(id)s): check that this is "
        "not the same person; the verifier will review it.",
        name=row.full_name,
        nik=privacy.nik_for_viewer(row.nik),
        id=row.register_id,
    )


def outside_warning() -> str:
    """The warning for a likely duplicate outside the user's region: that it exists, no more."""
    return gettext(
        "A likely duplicate of this person is registered outside your region; the "
        "verifier or Pusdatin will resolve it."
    )


def warnings_for(*args, door: str = "form", counted: bool = True, **kwargs) -> list[str]:
    """The warnings a write door shows for a likely duplicate of the person it saves. Shown
    again on a record the user did not just type (`counted=False`: a proposal's page), the
    "elsewhere" hint is no answer to a question they asked, and is not counted."""
    found = likely_duplicates(*args, **kwargs)
    scope = current_scope()
    mine = [row for row in found if in_scope(row.village_code, scope)]
    messages = [in_scope_warning(row) for row in mine]
    if len(found) > len(mine):
        left = lookups.conflicts_left(lookups.SIGNED_IN) if counted else None
        if left is None or left > 0:
            if counted:
                lookups.spend_conflicts(1, door)
            messages.append(outside_warning())
    return messages
