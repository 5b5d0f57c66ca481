"""The demo's household generator: one seed's stream of households with their families,
members and program memberships, as rows (dicts) of the four register tables.

`Generator(seed, regions)` draws household `index` after household `index - 1` from one random
stream, so the same seed and count give the same register ids, names, NIKs and KK numbers on
any database; the only outside input is the open period, whose first day is "today" for ages
and dates. Ids continue from the tables' largest. `batch(start, count)` draws households
without writing them; `make_unique(batch, households)` redraws numbers the register already
holds. Used by app.demo.writing (batches of inserts), app.demo.bulk (COPY in worker processes)
and the import's sample files (app.demo.import_files).
"""

import bisect
import datetime
import itertools
import random
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from app import codes
from app.clock import utcnow
from app.demo import dates
from app.demo.distributions import PICK
from app.demo.housing import fill_housing
from app.demo.names import Names
from app.demo.people import Person, draw_people, health, nik, schooling, work
from app.demo.places import Regency, coordinates, load_regencies
from app.demo.programs import draw_memberships
from app.extensions import db
from app.register import reference
from models import Family, Household, Member, Program, ProgramMembership
from models.enums import HouseholdStatus, MemberStatus

DEFAULT_SEED = 2026
#: The tables a run writes, in the order their rows refer to each other.
TABLES = ("household", "family", "member", "program_membership")
_REGISTER_SPACE = 10**10


class Batch:
    """Rows of consecutive households, ready for the register's four tables."""

    def __init__(self):
        self.households: list[dict] = []
        self.families: list[dict] = []
        self.members: list[dict] = []
        self.memberships: list[dict] = []

    def insert(self) -> None:
        for table, rows in (
            (Household.__table__, self.households),
            (Family.__table__, self.families),
            (Member.__table__, self.members),
            (ProgramMembership.__table__, self.memberships),
        ):
            if rows:
                db.session.execute(sa.insert(table), rows)


class Generator:
    def __init__(self, seed: int, regions: Sequence[str], regencies: list | None = None):
        self.seed = seed
        self.rng = random.Random(f"datakesos-demo-{seed}")
        # Draws made to repair collisions with existing rows come from their own stream, so the
        # main stream (and everything not colliding) stays the same whatever the database holds.
        self.repair_rng = random.Random(f"datakesos-demo-repair-{seed}")
        self.regencies = regencies or load_regencies(regions)
        self._regency_cumulative = list(
            itertools.accumulate(regency.weight for regency in self.regencies)
        )
        identity_rng = random.Random(f"datakesos-demo-register-{seed}")
        self.register_offset = identity_rng.randrange(_REGISTER_SPACE)
        # A stride coprime with 10^10 walks through every 10-digit number once: ids are unique
        # within a run however many households it makes, without remembering them.
        stride = identity_rng.randrange(10**9, _REGISTER_SPACE)
        while stride % 2 == 0 or stride % 5 == 0:
            stride += 1
        self.register_stride = stride
        self._spare_numbers = None
        # The first draw of the main stream picks household 0's regency: replay it here so the
        # run's marker (household 0's register id) is known before anything is generated.
        self._first_regency = self.pick_regency(random.Random(f"datakesos-demo-{seed}"))
        self.names = Names(seed)
        self.today = _reference_date()
        self.now = utcnow()
        programs = {p.code: p.id for p in db.session.scalars(sa.select(Program))}
        missing = {code for code, _name, _level in reference.PROGRAMS} - set(programs)
        if missing:
            reference.ensure_programs()
            programs = {p.code: p.id for p in db.session.scalars(sa.select(Program))}
        self.programs = programs
        self.program_codes = {pid: code for code, pid in programs.items()}
        self.next_id = {
            table: (db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1
            for table in TABLES
        }

    # -- identities -----------------------------------------------------------------------

    def register_number(self, index: int) -> str:
        """The 10-digit part of the index-th household's register id."""
        number = (self.register_offset + self.register_stride * index) % _REGISTER_SPACE
        return f"{number:010d}"

    def register_id(self, index: int, regency: Regency) -> str:
        return codes.digits(regency.code) + self.register_number(index)

    def existing_marker(self) -> str:
        """The first household's register id if it is registered already."""
        marker = self.register_id(0, self._first_regency)
        found = db.session.scalar(
            sa.select(Household.register_id).where(Household.register_id == marker)
        )
        return found or ""

    def pick_regency(self, rng: random.Random) -> Regency:
        x = rng.random() * self._regency_cumulative[-1]
        return self.regencies[bisect.bisect(self._regency_cumulative, x)]

    # -- a batch ----------------------------------------------------------------------------

    def batch(self, start: int, count: int) -> Batch:
        batch = Batch()
        for index in range(start, start + count):
            self._household(index, batch)
        return batch

    def make_unique(self, batch: Batch, households: int) -> None:
        """Redraw any register id, KK number or NIK that is taken (by earlier batches of this run,
        other seeds or real data) or repeated inside the batch."""
        if self._spare_numbers is None:
            # Numbers past the last household's index: never drawn by this run.
            self._spare_numbers = itertools.count(households)
        extra = self._spare_numbers
        _repair(
            batch.households,
            "register_id",
            Household.register_id,
            lambda row: row["register_id"][:4] + self.register_number(next(extra)),
        )
        _repair(
            batch.families,
            "kk_number",
            Family.kk_number,
            lambda row: row["kk_number"][:12] + f"{self.repair_rng.randint(1, 9999):04d}",
        )
        _repair(
            batch.members,
            "nik",
            Member.nik,
            lambda row: row["nik"][:12] + f"{self.repair_rng.randint(1, 9999):04d}",
        )

    def _take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _household(self, index: int, batch: Batch) -> None:
        rng = self.rng
        regency = self.pick_regency(rng)
        village, district = regency.villages[rng.randrange(len(regency.villages))]
        decile = PICK["decile"](rng)
        kind = regency.kind
        household_id = self._take_id("household")
        people = draw_people(rng, self.today)

        row = {
            "id": household_id,
            "register_id": self.register_id(index, regency),
            "village_code": village,
            "address": self.names.address(rng, kind),
            "rt": f"{rng.randint(1, 12):03d}",
            "rw": f"{rng.randint(1, 15 if kind == 'kota' else 9):03d}",
            "status": HouseholdStatus.ACTIVE,
            # The drawn decile stands until the first close ranks the demo; kept as the decile
            # of before, as a register that predates the ranking would keep its typed one.
            "welfare_decile": decile,
            "previous_decile": decile,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }
        row["latitude"], row["longitude"] = coordinates(rng, village)
        fill_housing(rng, row, kind, decile, len(people))
        batch.households.append(row)

        family_ids, family_members = [], []
        for family_index in range(max(p.family for p in people) + 1):
            family_ids.append(self._take_id("family"))
            family_members.append([p for p in people if p.family == family_index])
        member_rows = []
        for person in people:
            member_rows.append(
                self._member(
                    rng, person, regency, district, household_id, family_ids[person.family], decile
                )
            )
        batch.members.extend(member_rows)
        for family_id, members in zip(family_ids, family_members, strict=True):
            youngest = max(p.birth_date for p in members)
            issued = dates.between(rng, max(youngest, datetime.date(2008, 1, 1)), self.today)
            batch.families.append(
                {
                    "id": family_id,
                    "kk_number": _kk(district, issued, rng),
                    "household_id": household_id,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "version": 1,
                }
            )
        batch.memberships.extend(
            draw_memberships(
                rng,
                row,
                family_ids,
                member_rows,
                self.programs,
                self.today,
                lambda: self._take_id("program_membership"),
            )
        )

    def _member(
        self,
        rng: random.Random,
        person: Person,
        regency: Regency,
        district: str,
        household_id: int,
        family_id: int,
        decile: int,
    ) -> dict:
        age = dates.age(person.birth_date, self.today)
        name = self.names.full_name(rng, person.sex)
        attendance, education = schooling(rng, age, decile)
        occupation, employment = work(rng, person, age, attendance, regency.kind)
        disability, illness = health(rng, age)
        return {
            "id": self._take_id("member"),
            "nik": nik(district, person, rng),
            "full_name": name,
            "family_id": family_id,
            "household_id": household_id,
            "relation_to_head": person.relation,
            "sex": person.sex,
            "birth_place": self.names.birth_place(rng, regency.name),
            "birth_date": person.birth_date,
            "marital_status": person.marital,
            "education": education,
            "school_attendance": attendance,
            "occupation": occupation,
            "employment_status": employment,
            "disability": disability,
            "chronic_illness": illness,
            "status": MemberStatus.ACTIVE,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }


def _kk(district: str, issued: datetime.date, rng: random.Random) -> str:
    """A KK number of the district: its issue date and a serial."""
    return f"{district}{issued:%d%m%y}{rng.randint(1, 9999):04d}"


def _reference_date() -> datetime.date:
    """The open period's first day: 'today' for ages and dates, so reruns in a period agree."""
    period = reference.ensure_open_period()
    return min(period.start_date, datetime.date.today())


def _repair(rows: list[dict], key: str, column, redraw: Callable[[dict], str]) -> None:
    """Redraw values of `key` that repeat inside `rows` or already exist in `column`."""
    kept: set[str] = set()
    pending = rows
    while pending:
        values = [row[key] for row in pending]
        taken = set()
        for chunk in range(0, len(values), 5000):
            taken.update(
                db.session.scalars(
                    sa.select(column).where(column.in_(values[chunk : chunk + 5000]))
                )
            )
        collided = []
        for row in pending:
            if row[key] in taken or row[key] in kept:
                collided.append(row)
            else:
                kept.add(row[key])
        for row in collided:
            row[key] = redraw(row)
        pending = collided
