"""Planted duplicates: people of the demo register entered a second time, the way clerks do it,
so the duplicate finder has something to find and its quality can be measured.

`plant(count, seed)` copies `count` living members (drawn from the seed) as new ACTIVE members,
each in one of the ways real duplicates arise (KINDS, taken in turn):

- `nik_typo`: the same person in the same household, one NIK digit mistyped;
- `transposed`: two NIK digits swapped, and the birth date's day and month swapped (or, where
  that is no date, the day one off);
- `name_variant`: the name with a title, a spelling of old or a short form (Hj., Muh., Soe-,
  "Siti" left off…) and one NIK digit mistyped;
- `second_household`: the same person again in another household of the district, their name
  written another way and one NIK digit mistyped;
- `second_nik`: the same name and birth date under another serial, in another household of the
  district — which namesakes born on one day share too, so the finder can only call it
  *possible*.

Returns the planted pairs (original id, duplicate id, kind). A second run with the same seed
plants nothing (its first NIK is already registered).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import sqlalchemy as sa

from app.demo.generator import DEFAULT_SEED
from app.extensions import db
from models import Family, Household, Member
from models.enums import HouseholdStatus, MemberStatus, Relationship, Sex

KINDS = ("nik_typo", "transposed", "name_variant", "second_household", "second_nik")
#: The kinds a finder should call *likely*: they carry more than a name and a birth date.
LIKELY_KINDS = frozenset(KINDS[:4])
_SERIAL = slice(12, 16)
LIVING = (MemberStatus.ACTIVE, MemberStatus.PROPOSED)


@dataclass(frozen=True)
class Planted:
    original_id: int
    duplicate_id: int
    kind: str


def plant(count: int, seed: int = DEFAULT_SEED) -> list[Planted]:
    if count < 1:
        return []
    rng = random.Random(f"datakesos-duplicates-{seed}")
    table = Member.__table__
    living = db.session.execute(
        sa.select(table, Household.village_code)
        .join(Household, Household.id == table.c.household_id)
        .where(table.c.status == MemberStatus.ACTIVE, Household.status == HouseholdStatus.ACTIVE)
        .order_by(table.c.id)
    ).all()
    if not living:
        return []
    picks = rng.sample(living, min(count, len(living)))
    planted, first = [], True
    for index, original in enumerate(picks):
        kind = KINDS[index % len(KINDS)]
        row = {name: getattr(original, name) for name in table.c.keys() if name != "id"}
        row.update(relation_to_head=Relationship.OTHER, version=1)
        _change(kind, row, original, rng)
        if _nik_taken(row["nik"]):
            if first:
                return []  # planted before: the seed's first NIK is registered already
            continue
        first = False
        new_id = db.session.execute(sa.insert(table).values(**row)).inserted_primary_key[0]
        planted.append(Planted(original.id, new_id, kind))
    db.session.commit()
    return planted


def _change(kind: str, row: dict, original, rng: random.Random) -> None:
    if kind == "nik_typo":
        row["nik"] = _mistyped(original.nik, rng)
    elif kind == "transposed":
        row["nik"] = _transposed(original.nik, rng)
        row["birth_date"] = _swapped(original.birth_date)
    elif kind == "name_variant":
        row["full_name"] = _variant(original.full_name, original.sex, rng)
        row["nik"] = _mistyped(original.nik, rng)
    elif kind == "second_household":
        household_id, family_id = _other_household(original)
        row.update(household_id=household_id, family_id=family_id)
        row["full_name"] = _variant(original.full_name, original.sex, rng)
        row["nik"] = _mistyped(original.nik, rng)
    else:
        household_id, family_id = _other_household(original)
        row.update(household_id=household_id, family_id=family_id)
        row["nik"] = original.nik[:12] + f"{rng.randint(5000, 9999):04d}"


def _mistyped(nik: str, rng: random.Random) -> str:
    position = rng.randrange(_SERIAL.start, _SERIAL.stop)
    digit = rng.choice([d for d in "0123456789" if d != nik[position]])
    return nik[:position] + digit + nik[position + 1 :]


def _transposed(nik: str, rng: random.Random) -> str:
    serial = nik[_SERIAL]
    positions = [i for i in range(3) if serial[i] != serial[i + 1]] or [0]
    i = _SERIAL.start + rng.choice(positions)
    swapped = nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
    return swapped if swapped != nik else _mistyped(nik, rng)


def _swapped(birth: datetime.date) -> datetime.date:
    if birth.day <= 12 and birth.day != birth.month:
        return birth.replace(month=birth.day, day=birth.month)
    return birth + datetime.timedelta(days=1 if birth.day < 28 else -1)


def _variant(name: str, sex, rng: random.Random) -> str:
    words = name.split()
    choices = [("Hj. " if sex is Sex.FEMALE else "H. ") + name]
    if words[0] in ("Muhammad", "Mohammad", "Muhamad"):
        choices.append(" ".join(["Muh.", *words[1:]]))
    if words[0] == "Siti" and len(words) > 1:
        choices.append(" ".join(words[1:]))
    if "u" in words[0]:
        choices.append(" ".join([words[0].replace("u", "oe", 1), *words[1:]]))
    if "j" in words[0].lower():
        choices.append(" ".join([words[0].replace("j", "dj", 1), *words[1:]]))
    return rng.choice(choices)


def _other_household(original) -> tuple[int, int]:
    district = original.village_code[:8]
    found = db.session.execute(
        sa.select(Household.id, sa.func.min(Family.id))
        .join(Family, Family.household_id == Household.id)
        .where(
            Household.village_code.startswith(district),
            Household.id != original.household_id,
            Household.status == HouseholdStatus.ACTIVE,
        )
        .group_by(Household.id)
        .order_by(Household.id)
        .limit(1)
    ).first()
    if found is None:
        return original.household_id, original.family_id
    return found[0], found[1]


def _nik_taken(nik: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Member)
            .where(
                Member.nik == nik, Member.status.in_((MemberStatus.ACTIVE, MemberStatus.PROPOSED))
            )
        )
        > 0
    )
