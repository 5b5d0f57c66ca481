"""Every row of an import file checked before anything is written: cell formats, required
fields, enumerations and NIK/KK rules (app.register.identity), household rules
(app.register.households), one head per household, duplicates inside the file, and — in a few
set-based queries — duplicates against the register and the region scope of the importing user
(app.security.scope)."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.dialects import postgresql

from app import codes
from app.extensions import db, is_postgresql
from app.formatting import number
from app.imports import columns
from app.register import households, identity
from app.security import lookups, scope
from models import Family, Household, Member, Proposal, Region
from models.enums import HouseholdStatus, ProposalKind, ProposalStatus, Relationship

#: At most this many problems are kept for the report (the count says how many there were).
MAX_ERRORS = 10_000
LOOKUP_CHUNK = 5_000
PROGRESS_EVERY = 5_000


@dataclass
class Importer:
    """Who imports: the audit's actor, the region scope, and whether new households enter the
    register directly (Admin, the system) or as draft proposals (Operator)."""

    user_id: int | None
    username: str
    scope: str
    direct: bool
    ip_address: str | None = None


@dataclass
class HouseholdRow:
    register_id: str
    row: int
    values: dict
    raw: tuple
    existing: dict | None = None
    heads: list = field(default_factory=list)


@dataclass
class MemberRow:
    row: int
    nik: str
    kk_number: str
    register_id: str
    values: dict
    existing: dict | None = None


@dataclass
class Plan:
    households: dict[str, HouseholdRow] = field(default_factory=dict)
    members: list[MemberRow] = field(default_factory=list)
    #: KK number → register id of its household in the file, and the KK's first row.
    families: dict[str, str] = field(default_factory=dict)
    family_rows: dict[str, int] = field(default_factory=dict)
    existing_families: dict[str, dict] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    rows: int = 0

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((row, column, str(message)))


def validate(header: list[str], rows: list, importer: Importer, progress=None) -> Plan:
    plan = Plan()
    household_index = _readers(header, lambda column: column.record == "household")
    member_index = _readers(header, lambda column: column.record != "household")
    raw_of, register_index = _raw_getter(household_index), header.index("register_id")
    width = len(header)
    seen_nik: dict[str, int] = {}
    total = len(rows)
    for offset, raw_row in enumerate(rows):
        if progress and offset % PROGRESS_EVERY == 0:
            progress(offset, total)
        if raw_row is None:
            continue
        row = offset + 2
        plan.rows += 1
        if len(raw_row) != width:
            plan.error(
                row,
                "",
                gettext(
                    "The row has %(cells)s cells but the header names %(columns)s columns (check "
                    "the delimiter and quotes).",
                    cells=len(raw_row),
                    columns=width,
                ),
            )
            continue
        household = _household_of(plan, raw_row, household_index, row, raw_of, register_index)
        member = _member_of(plan, raw_row, member_index, row, household)
        if member is None:
            continue
        earlier = seen_nik.get(member.nik)
        if earlier:
            plan.error(
                row,
                "nik",
                gettext("NIK %(nik)s appears twice.", nik=member.nik)
                + " "
                + gettext("(also in row %(row)s)", row=earlier),
            )
        else:
            seen_nik[member.nik] = row
        plan.members.append(member)
    _check_families(plan)
    _check_households(plan, importer)
    _against_register(plan, importer)
    if progress:
        progress(total, total)
    return plan


# -- one row -----------------------------------------------------------------------------------
def _readers(header: list[str], wanted) -> list[tuple]:
    """(cell index, column name, reader, required) of the header's columns that `wanted`."""
    return [
        (index, name, columns.READERS[name], columns.BY_NAME[name].required)
        for index, name in enumerate(header)
        if wanted(columns.BY_NAME[name])
    ]


def _parse(plan: Plan, raw_row, readers, row) -> tuple[dict, bool]:
    """The row's readable values, and whether every cell could be read."""
    values, ok = {}, True
    for index, name, reader, required in readers:
        try:
            value = reader(raw_row[index].strip())
        except columns.CellError as error:
            plan.error(row, name, str(error))
            ok = False
            continue
        if value is None and required:
            plan.error(row, name, gettext("This column is required."))
            ok = False
        values[name] = value
    return values, ok


def _household_of(plan, raw_row, indexes, row, raw_of, register_index: int) -> HouseholdRow | None:
    raw = raw_of(raw_row)
    register_id = identity.clean_number(raw_row[register_index])
    known = plan.households.get(register_id)
    if known is not None:
        if raw != known.raw:  # the same household told differently: say which column differs
            values, _ok = _parse(plan, raw_row, indexes, row)
            for name, value in values.items():
                if known.values is not None and value != known.values.get(name):
                    plan.error(
                        row,
                        name,
                        gettext("Differs from row %(row)s of the same household.", row=known.row),
                    )
        return known
    values, ok = _parse(plan, raw_row, indexes, row)
    values = values if ok else None
    if values is not None:
        values["register_id"] = register_id
    household = HouseholdRow(register_id, row, values, raw)
    if register_id:
        plan.households[register_id] = household
    return household


def _raw_getter(readers):
    """The row's household cells as a tuple, to compare with the household's first row."""
    positions = [reader[0] for reader in readers]
    return (
        operator.itemgetter(*positions)
        if len(positions) > 1
        else (lambda row: (row[positions[0]],))
    )


def _member_of(plan, raw_row, indexes, row, household) -> MemberRow | None:
    values, ok = _parse(plan, raw_row, indexes, row)
    nik = values.pop("nik", None)
    if values.get("relation_to_head") == Relationship.HEAD and household is not None:
        household.heads.append(row)
    if nik is None:
        return None
    birth_date = values.get("birth_date")
    check = identity.check_nik(nik, birth_date, values.get("sex"))
    for message in check.errors:
        plan.error(row, "nik", message)
    born_later = identity.check_birth_date(birth_date)
    for message in born_later:
        plan.error(row, "birth_date", message)
    plan.warning_count += len(check.warnings)
    if not ok or household is None or household.values is None:
        return None
    kk_number = identity.clean_number(values.pop("kk_number"))
    for name, default in columns.MEMBER_DEFAULTS.items():
        if name in values and values[name] is None:
            values[name] = default
    if check.errors or born_later:
        return None
    return MemberRow(row, check.value, kk_number, household.register_id, values)


# -- across rows -------------------------------------------------------------------------------
def _check_families(plan: Plan) -> None:
    checked: dict[str, bool] = {}
    for member in plan.members:
        kk = member.kk_number
        if kk not in checked:
            check = identity.check_kk(kk)
            checked[kk] = check.ok
            for message in check.errors:
                plan.error(member.row, "kk_number", message)
        owner = plan.families.setdefault(kk, member.register_id)
        plan.family_rows.setdefault(kk, member.row)
        if owner != member.register_id:
            plan.error(
                member.row,
                "kk_number",
                gettext("KK number %(kk)s belongs to another household.", kk=kk)
                + " "
                + gettext("(register ID %(id)s in this file)", id=owner),
            )


def _check_households(plan: Plan, importer: Importer) -> None:
    codes = {h.values.get("village_code") for h in plan.households.values() if h.values}
    # Loaded once and held here: households.check_household then finds each village in the
    # session's identity map instead of asking the database once per household.
    villages = []
    for chunk in _chunks(sorted(code for code in codes if code)):
        villages.extend(db.session.scalars(sa.select(Region).where(Region.code.in_(chunk))))
    for household in plan.households.values():
        if household.values is None:
            continue
        problems = households.Problems()
        households.check_household(household.values, problems, importer.scope)
        for name, message in problems.errors:
            plan.error(household.row, name, message)
        if len(household.heads) != 1:
            rows = household.heads[1:] if household.heads else [household.row]
            for row in rows:
                plan.error(row, "relation_to_head", gettext("A household needs exactly one head."))


# -- against the register ----------------------------------------------------------------------
def _against_register(plan: Plan, importer: Importer) -> None:
    """Register IDs, KK numbers and NIKs the file shares with the register. A number held in
    the importer's region is named; one held outside it is only "already registered" — and
    counted (app.security.lookups) — and a household outside the region is checked no further: the
    file learns nothing about its members, families or head."""
    household_table, member_table = Household.__table__, Member.__table__
    by_register = _lookup(household_table, household_table.c.register_id, plan.households)
    ids_in_file = {}
    foreign: list[tuple[int, str, str]] = []
    for register_id, household in plan.households.items():
        if household.values is None:
            continue
        existing = by_register.get(register_id)
        if existing is None:
            _check_new_register_id(plan, household)
            continue
        if not scope.in_scope(existing["village_code"], importer.scope):
            foreign.append(
                (
                    household.row,
                    "register_id",
                    identity.registered_elsewhere("register_id", register_id),
                )
            )
            continue
        household.existing = existing
        ids_in_file[existing["id"]] = household
        if existing["status"] == HouseholdStatus.INACTIVE:
            plan.error(
                household.row,
                "register_id",
                gettext(
                    "Household %(id)s is inactive: an import cannot change it.", id=register_id
                ),
            )
    families = _lookup(Family.__table__, Family.__table__.c.kk_number, plan.families)
    living = {}
    for row in _lookup_rows(member_table, member_table.c.nik, [m.nik for m in plan.members]):
        if row["status"] in identity.LIVING or row["household_id"] in ids_in_file:
            # A living person elsewhere blocks the NIK; in the same household any row matches.
            known = living.get(row["nik"])
            if known is None or known["household_id"] not in ids_in_file:
                living[row["nik"]] = row
    regions = _household_regions(
        [row["household_id"] for row in families.values()]
        + [row["household_id"] for row in living.values()]
    )
    # Only families of the importer's region are matched to the file's (app/imports/writing).
    plan.existing_families = {
        kk: family
        for kk, family in families.items()
        if scope.in_scope(regions.get(family["household_id"]), importer.scope)
    }
    for kk, register_id in plan.families.items():
        family = families.get(kk)
        household = plan.households[register_id]
        if not family or (
            household.existing is not None and family["household_id"] == household.existing["id"]
        ):
            continue
        if kk in plan.existing_families:
            plan.error(
                plan.family_rows[kk],
                "kk_number",
                gettext("KK number %(kk)s belongs to another household.", kk=kk),
            )
        else:
            foreign.append(
                (plan.family_rows[kk], "kk_number", identity.registered_elsewhere("kk_number", kk))
            )
    for member in plan.members:
        existing = living.get(member.nik)
        household = plan.households[member.register_id]
        if existing is None:
            continue
        if household.existing is not None and existing["household_id"] == household.existing["id"]:
            member.existing = existing
        elif scope.in_scope(regions.get(existing["household_id"]), importer.scope):
            plan.error(
                member.row,
                "nik",
                gettext(
                    "NIK %(nik)s already belongs to another living person in the register.",
                    nik=member.nik,
                ),
            )
        else:
            foreign.append((member.row, "nik", identity.registered_elsewhere("nik", member.nik)))
    _report_foreign(plan, importer, foreign)
    _check_heads(plan, ids_in_file)
    if not importer.direct:
        _check_drafts(plan, importer, ids_in_file)


def _report_foreign(plan: Plan, importer: Importer, foreign: list[tuple[int, str, str]]) -> None:
    """Numbers held outside the importer's region: one generic error per row while the
    importer's conflict allowance lasts (app.security.lookups); past it, one error for the file that
    only counts them — a file is not a bulk lookup of the register."""
    if not foreign:
        return
    who = (importer.user_id, importer.username, importer.ip_address)
    region = importer.scope or None
    try:
        lookups.conflict(
            "any",
            len(foreign),
            door="import",
            user_id=importer.user_id,
            who=who,
            region_code=region,
        )
    except lookups.QuotaUsedUp:
        left = lookups.conflicts_left(importer.user_id) or 0
        lookups.spend_conflicts(len(foreign), "import", importer.user_id, who, region)
        plan.error(
            1,
            "file",
            gettext(
                "%(count)s register IDs, KK numbers or NIKs in this file are already registered "
                "and cannot be used. That is more than your remaining allowance of such answers "
                "(%(left)s in 24 hours), so their rows are not listed: check the file against your "
                "own records.",
                count=number(len(foreign)),
                left=number(left),
            ),
        )
        return
    except lookups.LookupRefused as error:  # the importer's lookups are suspended
        plan.error(1, "file", error.message)
        return
    for row, column, message in sorted(foreign):
        plan.error(row, column, message)


def _household_regions(household_ids: list[int]) -> dict[int, str]:
    """The village of each of these households."""
    table = Household.__table__
    regions = {}
    for chunk in _chunks(sorted(set(household_ids))):
        regions.update(
            db.session.execute(
                sa.select(table.c.id, table.c.village_code).where(table.c.id.in_(chunk))
            ).all()
        )
    return regions


def _check_new_register_id(plan: Plan, household: HouseholdRow) -> None:
    """A new household's register ID: 14 digits, the first four its regency's (as
    app.register.households.new_register_id makes them)."""
    register_id = household.register_id
    regency = codes.digits(codes.regency_of(household.values.get("village_code") or ""))
    if not (codes.REGISTER_ID.fullmatch(register_id) and register_id[:4] == regency):
        plan.error(
            household.row,
            "register_id",
            gettext(
                "A new household's register ID has 14 digits and starts with its regency code "
                "%(regency)s.",
                regency=regency or "-",
            ),
        )


def _check_heads(plan: Plan, ids_in_file: dict) -> None:
    """An existing household keeps its head: the file's head must be the same person."""
    if not ids_in_file:
        return
    member_table = Member.__table__
    heads = {}
    for chunk in _chunks(list(ids_in_file)):
        for household_id, nik in db.session.execute(
            sa.select(member_table.c.household_id, member_table.c.nik).where(
                member_table.c.household_id.in_(chunk),
                member_table.c.relation_to_head == Relationship.HEAD,
            )
        ):
            heads[household_id] = nik
    for member in plan.members:
        household = plan.households[member.register_id]
        if household.existing is None:
            continue
        head = heads.get(household.existing["id"])
        is_head = member.values.get("relation_to_head") == Relationship.HEAD
        if head and is_head != (member.nik == head):
            plan.error(
                member.row,
                "relation_to_head",
                gettext("This household already has a head.")
                + " "
                + gettext("An import does not change a household's head."),
            )


def _check_drafts(plan: Plan, importer: Importer, ids_in_file: dict) -> None:
    """An operator adds members to a proposed household only through their own draft."""
    proposed = [
        household_id
        for household_id, household in ids_in_file.items()
        if household.existing["status"] == HouseholdStatus.PROPOSED
    ]
    own = set()
    for chunk in _chunks(proposed):
        own.update(
            db.session.scalars(
                sa.select(Proposal.household_id).where(
                    Proposal.household_id.in_(chunk),
                    Proposal.kind == ProposalKind.NEW_HOUSEHOLD,
                    Proposal.status == ProposalStatus.DRAFT,
                    Proposal.proposed_by_id == importer.user_id,
                )
            )
        )
    for member in plan.members:
        household = plan.households[member.register_id]
        existing = household.existing
        if (
            member.existing is None
            and existing
            and existing["status"] == HouseholdStatus.PROPOSED
            and existing["id"] not in own
        ):
            plan.error(
                member.row,
                "nik",
                gettext(
                    "Members of a proposed household can be added only to your own draft proposal."
                ),
            )


def _lookup(table, key_column, keys) -> dict:
    return {row[key_column.name]: row for row in _lookup_rows(table, key_column, list(keys))}


def _lookup_rows(table, key_column, keys: list) -> list[dict]:
    """Rows whose key is one of `keys`: on PostgreSQL one array parameter, elsewhere chunks."""
    keys = sorted(set(keys))
    if not keys:
        return []
    if is_postgresql():
        keys_parameter = sa.bindparam("keys", keys, type_=postgresql.ARRAY(sa.String))
        chunks, condition = [keys], key_column == sa.any_(keys_parameter)
    else:
        chunks, condition = _chunks(keys), None
    found = []
    for chunk in chunks:
        where = condition if condition is not None else key_column.in_(chunk)
        found.extend(row._asdict() for row in db.session.execute(sa.select(table).where(where)))
    return found


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
