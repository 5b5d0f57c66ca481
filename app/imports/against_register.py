"""An import file against the register, in a few set-based queries (`check`): the register IDs,
KK numbers and NIKs it shares with the register, within the importer's region or outside it (then
only "already registered", counted by app.security.lookups), the heads of households it changes,
and the draft proposals it would touch."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.dialects import postgresql

from app import codes
from app.extensions import db, is_postgresql
from app.formatting import number
from app.imports.plan import HouseholdRow, Importer, Plan
from app.register import identity
from app.security import lookups, scope
from models import Family, Household, Member, Proposal
from models.enums import HouseholdStatus, ProposalKind, ProposalStatus, Relationship

LOOKUP_CHUNK = 5_000


def check(plan: Plan, importer: Importer) -> None:
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
    for chunk in in_chunks(sorted(set(household_ids))):
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
    for chunk in in_chunks(list(ids_in_file)):
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
    for chunk in in_chunks(proposed):
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
        chunks, condition = in_chunks(keys), None
    found = []
    for chunk in chunks:
        where = condition if condition is not None else key_column.in_(chunk)
        found.extend(row._asdict() for row in db.session.execute(sa.select(table).where(where)))
    return found


def in_chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
