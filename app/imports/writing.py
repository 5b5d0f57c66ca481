"""Applying a validated plan in the caller's transaction: new households, families and members
inserted set-based (app.imports.staging), changed ones updated with a new version, unchanged
ones left alone; one audit entry per created or changed record. An Operator's new households and
members enter as PROPOSED rows with draft proposals (app.proposals), an Admin's as ACTIVE. The
blocking keys of the members written (app.duplicates.keeping) are refreshed in the same
transaction: Core writes pass by the ORM hook that keeps them for the other doors."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app import audit, codes, proposals
from app.duplicates import keeping as duplicate_keys
from app.errors import Conflict
from app.extensions import db
from app.imports import columns, staging
from app.imports.against_register import in_chunks
from app.imports.plan import Importer, Plan
from models import Family, Household, Member, Proposal
from models.enums import (
    HouseholdStatus,
    MemberStatus,
    ProposalKind,
    ProposalStatus,
)

HOUSEHOLD_COLUMNS = [
    "id",
    *columns.HOUSEHOLD_FIELDS,
    "status",
    "version",
    "created_at",
    "updated_at",
]
FAMILY_COLUMNS = ["id", "kk_number", "household_id", "version", "created_at", "updated_at"]
MEMBER_COLUMNS = [
    "id",
    "nik",
    "family_id",
    "household_id",
    *columns.MEMBER_FIELDS,
    "status",
    "version",
    "created_at",
    "updated_at",
]
#: A new record's fields before the file's values: a column left out of the file is empty,
#: or false, or its register default.
NEW_HOUSEHOLD = {
    **dict.fromkeys(columns.HOUSEHOLD_FIELDS),
    **{c.name: False for c in columns.COLUMNS if c.record == "household" and c.kind == "bool"},
}
NEW_MEMBER = {**dict.fromkeys(columns.MEMBER_FIELDS), **columns.MEMBER_DEFAULTS}
PROPOSAL_COLUMNS = [
    "id",
    "kind",
    "status",
    "period_id",
    "regency_code",
    "household_id",
    "member_id",
    "proposed_by_id",
    "note",
    "version",
    "created_at",
    "updated_at",
]


@dataclass
class Counts:
    households_added: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    families_added: int = 0
    members_added: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    proposals_added: int = 0

    @property
    def changes(self) -> int:
        return (
            self.households_added
            + self.households_updated
            + self.families_added
            + self.members_added
            + self.members_updated
        )

    def as_dict(self) -> dict:
        return asdict(self)


class Changes:
    """What applying the plan would do, worked out before anything is written."""

    def __init__(self, plan: Plan, importer: Importer):
        self.plan, self.importer = plan, importer
        self.counts = Counts()
        self.new_households = [h for h in plan.households.values() if h.existing is None]
        self.household_updates = []
        for household in plan.households.values():
            if household.existing is None:
                continue
            diff = _diff(household.values, household.existing, skip=("register_id",))
            if diff:
                self.household_updates.append((household, diff))
        self.new_families = [kk for kk in plan.families if kk not in plan.existing_families]
        self.new_members = [m for m in plan.members if m.existing is None]
        self.member_updates = []
        for member in plan.members:
            if member.existing is None:
                continue
            diff = _diff(member.values, member.existing)
            family = plan.existing_families.get(member.kk_number)
            if family is None or family["id"] != member.existing["family_id"]:
                diff["family_id"] = family["id"] if family else member.kk_number
            if diff:
                self.member_updates.append((member, diff))
        counts = self.counts
        counts.households_added = len(self.new_households)
        counts.households_updated = len(self.household_updates)
        counts.households_unchanged = (
            len(plan.households) - counts.households_added - counts.households_updated
        )
        counts.families_added = len(self.new_families)
        counts.members_added = len(self.new_members)
        counts.members_updated = len(self.member_updates)
        counts.members_unchanged = len(plan.members) - counts.members_added - counts.members_updated
        if not importer.direct:  # a draft per new household, and per new member of an active one
            counts.proposals_added = len(self.new_households) + sum(
                1
                for member in self.new_members
                if _status_of(plan.households[member.register_id]) == HouseholdStatus.ACTIVE
            )


def _status_of(household) -> HouseholdStatus | None:
    return household.existing["status"] if household.existing else None


def _diff(values: dict, existing: dict, skip=()) -> dict:
    return {
        name: value
        for name, value in values.items()
        if name not in skip and value != existing.get(name)
    }


def apply(plan: Plan, importer: Importer, progress=None) -> Counts:
    changes = Changes(plan, importer)
    writer = _Writer(changes, progress)
    writer.run()
    return changes.counts


class _Writer:
    STEPS = 6

    def __init__(self, changes: Changes, progress):
        self.changes, self.plan, self.importer = changes, changes.plan, changes.importer
        self.progress = progress
        self.now = datetime.datetime.now()
        self.who = (self.importer.user_id, self.importer.username, self.importer.ip_address)
        self.audit_rows: list[dict] = []
        self.household_ids: dict[str, int] = {}
        self.family_ids = {kk: row["id"] for kk, row in self.plan.existing_families.items()}
        self.step = 0

    def _advance(self, message: str) -> None:
        self.step += 1
        if self.progress:
            self.progress(self.step, self.STEPS, message)

    def run(self) -> None:
        period = None
        if not self.importer.direct and (self.changes.new_households or self.changes.new_members):
            period = proposals.require_open_period(lock=True)
        for household in self.plan.households.values():
            if household.existing:
                self.household_ids[household.register_id] = household.existing["id"]
        self._insert_households()
        # An existing household keeps its village: a changed one is audited where it was.
        self.village_by_id = {
            self.household_ids[h.register_id]: (h.existing or h.values)["village_code"]
            for h in self.plan.households.values()
        }
        self._advance(gettext("Households written"))
        self._insert_families()
        self._advance(gettext("Families written"))
        new_members = self._insert_members()
        self._advance(gettext("Members written"))
        self._update_households()
        self._update_members()
        self._refresh_duplicate_keys(new_members)
        self._advance(gettext("Changes written"))
        if period is not None:
            self._insert_proposals(period, new_members)
        self._advance(gettext("Proposals written"))
        self._write_audit()
        self._advance(gettext("Audit trail written"))

    # -- new rows ----------------------------------------------------------------------------
    def _status(self) -> HouseholdStatus:
        return HouseholdStatus.ACTIVE if self.importer.direct else HouseholdStatus.PROPOSED

    def _stamp(self, row: dict) -> dict:
        row.update(version=1, created_at=self.now, updated_at=self.now)
        return row

    def _insert_households(self) -> None:
        new = self.changes.new_households
        rows = []
        for household, new_id in zip(
            new, staging.allocate_ids(Household.__table__, len(new)), strict=True
        ):
            row = {**NEW_HOUSEHOLD, **household.values}
            row.update(id=new_id, status=self._status())
            rows.append(self._stamp(row))
            self.household_ids[household.register_id] = new_id
        self._insert(
            Household.__table__,
            HOUSEHOLD_COLUMNS,
            rows,
            "household",
            lambda row: row["village_code"],
        )

    def _insert_families(self) -> None:
        new = self.changes.new_families
        rows = []
        for kk, new_id in zip(new, staging.allocate_ids(Family.__table__, len(new)), strict=True):
            register_id = self.plan.families[kk]
            row = self._stamp(
                {"id": new_id, "kk_number": kk, "household_id": self.household_ids[register_id]}
            )
            rows.append(row)
            self.family_ids[kk] = new_id
        self._insert(Family.__table__, FAMILY_COLUMNS, rows, "family", self._village_of_row)

    def _insert_members(self) -> list[dict]:
        new = self.changes.new_members
        rows = []
        for member, new_id in zip(
            new, staging.allocate_ids(Member.__table__, len(new)), strict=True
        ):
            household = self.plan.households[member.register_id]
            proposed = not self.importer.direct or (
                household.existing and household.existing["status"] == HouseholdStatus.PROPOSED
            )
            row = {**NEW_MEMBER, **member.values}
            row.update(
                id=new_id,
                nik=member.nik,
                family_id=self.family_ids[member.kk_number],
                household_id=self.household_ids[member.register_id],
                status=MemberStatus.PROPOSED if proposed else MemberStatus.ACTIVE,
            )
            rows.append(self._stamp(row))
        self._insert(Member.__table__, MEMBER_COLUMNS, rows, "member", self._village_of_row)
        return rows

    def _insert_proposals(self, period, new_members: list[dict]) -> None:
        """Draft proposals: one per new household (its members join it), one per new member of
        a household already in the register."""
        targets = [
            (ProposalKind.NEW_HOUSEHOLD, self.household_ids[h.register_id], None)
            for h in self.changes.new_households
        ]
        active = {
            h.existing["id"]
            for h in self.plan.households.values()
            if _status_of(h) == HouseholdStatus.ACTIVE
        }
        targets += [
            (ProposalKind.NEW_MEMBER, row["household_id"], row["id"])
            for row in new_members
            if row["household_id"] in active
        ]
        rows = []
        for (kind, household_id, member_id), new_id in zip(
            targets, staging.allocate_ids(Proposal.__table__, len(targets)), strict=True
        ):
            row = self._stamp(
                {
                    "id": new_id,
                    "kind": kind,
                    "status": ProposalStatus.DRAFT,
                    "period_id": period.id,
                    "regency_code": codes.regency_of(self.village_by_id[household_id]),
                    "household_id": household_id,
                    "member_id": member_id,
                    "proposed_by_id": self.importer.user_id,
                    "note": gettext("Imported from a file"),
                }
            )
            rows.append(row)
        self._insert(Proposal.__table__, PROPOSAL_COLUMNS, rows, "proposal", self._village_of_row)

    # -- changed rows ------------------------------------------------------------------------
    def _update_households(self) -> None:
        updates = [(household.existing, diff) for household, diff in self.changes.household_updates]
        self._update(
            Household.__table__, "household", updates, lambda existing: existing["village_code"]
        )

    def _update_members(self) -> None:
        updates = []
        for member, diff in self.changes.member_updates:
            if "family_id" in diff and not isinstance(diff["family_id"], int):
                diff["family_id"] = self.family_ids[member.kk_number]
            updates.append((member.existing, diff))
        self._update(Member.__table__, "member", updates, self._village_of_row)

    def _update(self, table, entity: str, updates: list, region_of) -> None:
        """One UPDATE per group of rows changing the same columns; a row whose version moved
        since it was read means someone saved it meanwhile: nothing is written."""
        groups: dict[tuple, list[dict]] = {}
        for existing, diff in updates:
            names = tuple(sorted(diff))
            groups.setdefault(names, []).append(
                {
                    **{f"new_{name}": diff[name] for name in names},
                    "row_id": existing["id"],
                    "row_version": existing["version"],
                }
            )
            self.audit_rows.append(
                audit.entry(
                    "update",
                    entity,
                    existing["id"],
                    region_of(existing),
                    before={name: audit.plain(existing.get(name)) for name in names},
                    after={name: audit.plain(diff[name]) for name in names},
                    who=self.who,
                )
            )
        connection = db.session.connection()
        for names, rows in groups.items():
            statement = (
                sa.update(table)
                .where(
                    table.c.id == sa.bindparam("row_id"),
                    table.c.version == sa.bindparam("row_version"),
                )
                .values({name: sa.bindparam(f"new_{name}") for name in names})
                .values(version=table.c.version + 1, updated_at=self.now)
            )
            changed = connection.execute(statement, rows).rowcount
            if connection.dialect.supports_sane_multi_rowcount and changed != len(rows):
                raise Conflict(
                    gettext(
                        "Someone else changed some of these records during the import. Nothing was "
                        "saved: import the file again."
                    )
                )

    def _refresh_duplicate_keys(self, new_members: list[dict]) -> None:
        """Keys of the members created or changed, and of every member of a household moved to
        another village (the village is part of two keys and kept with each)."""
        ids = {row["id"] for row in new_members}
        ids.update(member.existing["id"] for member, _diff in self.changes.member_updates)
        moved = [
            household.existing["id"]
            for household, diff in self.changes.household_updates
            if "village_code" in diff
        ]
        connection = db.session.connection()
        member_table = Member.__table__
        for chunk in in_chunks(moved):
            ids.update(
                connection.scalars(
                    sa.select(member_table.c.id).where(member_table.c.household_id.in_(chunk))
                )
            )
        if ids:
            duplicate_keys.refresh(connection, sorted(ids))

    # -- audit -------------------------------------------------------------------------------
    def _insert(self, table, names, rows, entity: str, region_of) -> None:
        staging.insert_rows(table, names, rows, entity, self.who, self.now, region_of)

    def _village_of_row(self, row: dict) -> str | None:
        return self.village_by_id.get(row["household_id"])

    def _write_audit(self) -> None:
        """Entries of changed records (created ones are audited as they are inserted)."""
        if self.audit_rows:
            audit.record_many(self.audit_rows)
