"""An import file against the duplicate rule (app.duplicates), set-based (`check`): each row that
passes every other check and writes who someone is (a new member; a name, birth date, sex or
village changed) is blocked on its keys (app.duplicates.keys), the keys are looked up in
duplicate_key in one query per kind (chunks on SQLite), and the row is scored with the rule of
every write door (app.duplicates.check.is_likely) against the living members found and against
the file's other rows sharing a key.

A likely duplicate is a warning worded as on every other door: within the importer's region it
names the record; outside it says only that one exists, those rows counted once per import
against the conflict allowance (app.security.lookups), and past the allowance one warning for
the file only counts them. Two rows of the file that are likely one person are each warned of the
other.

The circuit breaker: when more rows have a likely duplicate than DUPLICATE_IMPORT_MAX_SHARE of
the file's member rows, a file that nothing else refuses is refused as a whole, with one error for
the file and its warnings listed in the error report.

Unchanged rows of a file imported again are not compared: their pairs are in the register
already, where the scan puts them before a verifier and keeps the verifier's decisions; warning of
them — or refusing the file for them — on every import would say nothing new.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from sqlalchemy.dialects import postgresql

from app.duplicates import check as rule
from app.duplicates import keys, scoring
from app.duplicates.people import LIVING_MEMBERS, living_members, person
from app.extensions import db, is_postgresql
from app.formatting import number
from app.imports.against_register import in_chunks
from app.imports.plan import Importer, MemberRow, Plan
from app.security import lookups, privacy
from app.security.scope import in_scope
from models import DuplicateKey, Member

#: What a row changes of an existing member that makes it worth comparing again.
IDENTITY_FIELDS = ("full_name", "birth_date", "sex")


@dataclass
class _Row:
    """One compared row of the file: the person it writes and their blocking keys."""

    member: MemberRow
    person: scoring.Person
    keys: list[tuple[str, str]]
    named: list = field(default_factory=list)
    outside: bool = False
    twins: list[_Row] = field(default_factory=list)

    @property
    def likely(self) -> bool:
        return bool(self.named or self.outside or self.twins)


def check(plan: Plan, importer: Importer) -> None:
    """Warn of the file's likely duplicates, and refuse a file with too many (module docstring)."""
    rows = _compared(plan)
    if not rows:
        return
    limit = current_app.config["DUPLICATE_BLOCK_LIMIT"]
    _against_register(rows, importer, limit)
    _within_file(rows, limit)
    for row in rows:
        for other in row.named:
            plan.warning(row.member.row, "nik", rule.in_scope_warning(other))
        for twin in row.twins:
            plan.warning(row.member.row, "nik", _twin_warning(twin))
    _warn_outside(plan, importer, [row for row in rows if row.outside])
    plan.warnings.sort(key=lambda warning: warning[0])
    # A file refused already needs no second reason; its warnings are listed all the same.
    if not plan.error_count:
        _circuit_breaker(plan, sum(row.likely for row in rows))


def _compared(plan: Plan) -> list[_Row]:
    """The rows that passed every other check and write who someone is."""
    rows = []
    for member in plan.members:
        household = plan.households.get(member.register_id)
        if household is None or household.values is None:
            continue
        # An error on the household's first row may be the household's own (outside the
        # region, say): its other rows are left out with it.
        if member.row in plan.rows_in_error or household.row in plan.rows_in_error:
            continue
        if not _writes_who(member, household):
            continue
        values, village = member.values, household.values["village_code"]
        me = rule.person_of(
            member.nik,
            values["full_name"],
            values["birth_date"],
            values["sex"],
            village,
            kk_number=member.kk_number or None,
            address=household.values.get("address"),
        )
        rows.append(_Row(member, me, keys.keys_of(me.nik, me.full_name, me.birth_date, village)))
    return rows


def _writes_who(member: MemberRow, household) -> bool:
    """Whether the row adds a person or changes what the comparison reads of one."""
    existing = member.existing
    if existing is None:
        return True
    if existing["status"] not in LIVING_MEMBERS:  # a deceased member's row is nobody's twin
        return False
    if any(member.values.get(name) != existing.get(name) for name in IDENTITY_FIELDS):
        return True
    # The village is part of two keys: a household moved is compared where it goes.
    old = household.existing
    return old is not None and household.values["village_code"] != old["village_code"]


# -- against the register ----------------------------------------------------------------------
def _against_register(rows: list[_Row], importer: Importer, limit: int) -> None:
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for kind, key in row.keys:
            wanted[kind].add(key)
    blocks = _blocks(wanted, limit)
    people = _living({member_id for ids in blocks.values() for member_id in ids})
    # A member the file itself writes is compared as the file has them (_within_file).
    written = {row.person.nik for row in rows}
    for row in rows:
        ids = sorted({member_id for key in row.keys for member_id in blocks.get(key, ())})
        for member_id in ids:
            found = people.get(member_id)
            if found is None or found.nik in written:
                continue
            if not rule.is_likely(row.person, person(found)):
                continue
            if in_scope(found.village_code, importer.scope):
                row.named.append(found)
            else:
                row.outside = True


def _blocks(wanted: dict[str, set[str]], limit: int) -> dict[tuple[str, str], list[int]]:
    """(kind, key) → the members holding it, for blocks of at most `limit` members (a key
    shared by more tells nothing, as in the scan)."""
    table = DuplicateKey.__table__
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for kind, values in sorted(wanted.items()):
        ordered = sorted(values)
        if is_postgresql():
            parameter = sa.bindparam("keys", ordered, type_=postgresql.ARRAY(sa.String))
            conditions = [table.c.key == sa.any_(parameter)]
        else:
            conditions = [table.c.key.in_(chunk) for chunk in in_chunks(ordered)]
        for condition in conditions:
            query = sa.select(table.c.key, table.c.member_id).where(table.c.kind == kind, condition)
            for key, member_id in db.session.execute(query):
                found[(kind, key)].append(member_id)
    return {key: ids for key, ids in found.items() if len(ids) <= limit}


def _living(ids: set[int]) -> dict[int, sa.Row]:
    found = {}
    for chunk in in_chunks(sorted(ids)):
        query = living_members("").where(Member.id.in_(chunk))
        found.update((row.id, row) for row in db.session.execute(query))
    return found


# -- within the file ---------------------------------------------------------------------------
def _within_file(rows: list[_Row], limit: int) -> None:
    blocks: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        for key in row.keys:
            blocks[key].append(row)
    compared: set[tuple[int, int]] = set()
    for block in blocks.values():
        if not 2 <= len(block) <= limit:
            continue
        for first, second in itertools.combinations(block, 2):
            pair = (first.member.row, second.member.row)
            if pair in compared:
                continue
            compared.add(pair)
            if rule.is_likely(first.person, second.person):
                first.twins.append(second)
                second.twins.append(first)
    for row in rows:
        row.twins.sort(key=lambda twin: twin.member.row)


def _twin_warning(twin: _Row) -> str:
    return gettext(
        "Likely the same person as row %(row)s of this file (%(name)s, NIK %(nik)s): check "
        "that the file does not list one person twice.",
        row=twin.member.row,
        name=twin.person.full_name,
        nik=privacy.nik_for_viewer(twin.person.nik),
    )


# -- outside the region, and the breaker -------------------------------------------------------
def _warn_outside(plan: Plan, importer: Importer, rows: list[_Row]) -> None:
    """One warning per row while the importer's conflict allowance lasts, else one for the file
    that only counts them; spent once for the import either way (as app.imports.against_register
    does for numbers held elsewhere)."""
    if not rows:
        return
    left = lookups.conflicts_left(importer.user_id)
    lookups.spend_conflicts(
        len(rows),
        "import",
        importer.user_id,
        (importer.user_id, importer.username, importer.ip_address),
        importer.scope or None,
    )
    if left is None or len(rows) <= left:
        for row in rows:
            plan.warning(row.member.row, "nik", rule.outside_warning())
        return
    plan.warning(
        1,
        "file",
        gettext(
            "%(count)s rows of this file are likely duplicates of people registered outside your "
            "region. That is more than your remaining allowance of such answers (%(left)s in 24 "
            "hours), so their rows are not listed; the verifier or Pusdatin will resolve them.",
            count=number(len(rows)),
            left=number(left),
        ),
    )


def _circuit_breaker(plan: Plan, likely: int) -> None:
    share = current_app.config["DUPLICATE_IMPORT_MAX_SHARE"]
    most = math.floor(share * plan.rows + 1e-9)  # 0.29 * 100 is 28.999…
    if likely <= most:
        return
    plan.error(
        1,
        "file",
        gettext(
            "%(count)s of the %(rows)s member rows in this file are likely duplicates of people "
            "already registered or of other rows of the file: more than the limit of %(share)s%% "
            "(%(most)s rows). Nothing was imported: check the rows listed as warnings in the "
            "error report, correct or remove the duplicates and import the file again.",
            count=number(likely),
            rows=number(plan.rows),
            share=number(round(share * 100, 2)),
            most=number(most),
        ),
    )
