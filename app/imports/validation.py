"""Every row of an import file checked before anything is written: cell formats, required
fields, enumerations and NIK/KK rules (app.register.identity), household rules
(app.register.households), one head per household and duplicates inside the file; then
app.imports.against_register compares the file with the register, and app.imports.duplicates
warns of likely duplicates (data ganda) of the rows that passed."""

from __future__ import annotations

import operator

import sqlalchemy as sa
from flask_babel import gettext

from app.extensions import db
from app.imports import against_register, columns, duplicates
from app.imports.plan import HouseholdRow, Importer, MemberRow, Plan
from app.register import households, identity
from models import Region
from models.enums import Relationship

PROGRESS_EVERY = 5_000


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
    against_register.check(plan, importer)
    duplicates.check(plan, importer)
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
    for message in check.warnings:
        plan.warning(row, "nik", message)
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
    for chunk in against_register.in_chunks(sorted(code for code in codes if code)):
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
