"""Cek Bansos: who of a village's determined register carries a name, masked.

The answer is what the ministry's own public page shows: the name's first letters, the age in
years, the programs of the last closed period and the decile — never a NIK, KK number, birth
date or address, and no internal id (a row carries a signed token the objection form reads
back). A search is counted per village and day (PublicLookupCount), never per person."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import clock
from app.errors import ValidationError
from app.extensions import db
from app.register import regions
from models import (
    Household,
    Member,
    Period,
    PeriodSnapshot,
    PeriodSnapshotProgram,
    Program,
    Region,
)
from models.complaints import PublicLookupCount
from models.enums import HouseholdStatus, MemberStatus, PeriodStatus

MIN_LETTERS = 3
#: A result's household token stays valid this long (the visitor fills in the form).
TOKEN_MAX_AGE = 2 * 3600


@dataclass(frozen=True)
class Person:
    masked_name: str
    age: int
    is_head: bool
    programs: tuple[str, ...]
    decile: int | None
    #: Signs the household for the objection form (no id in the page).
    token: str


def mask(full_name: str) -> str:
    """ "Budi Santoso" → "B*** S***": the first letter of each word and a fixed number of
    stars, so neither the name nor its length can be read back."""
    words = [word for word in (full_name or "").split() if word[:1].isalnum()]
    return " ".join(f"{word[0].upper()}***" for word in words[:4]) or "***"


def age_on(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def children(parent: str | None) -> list[Region]:
    """The regions one level below `parent` ("" or None: the provinces), by name."""
    query = sa.select(Region).order_by(Region.name)
    if parent:
        query = query.where(Region.parent_code == parent)
    else:
        query = query.where(Region.level == 1)
    return list(db.session.scalars(query))


def last_closed_period() -> Period | None:
    return db.session.scalar(
        sa.select(Period)
        .where(Period.status == PeriodStatus.CLOSED)
        .order_by(Period.end_date.desc())
        .limit(1)
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cek-household")


def household_token(household_id: int, village_code: str) -> str:
    return _serializer().dumps([household_id, village_code])


def household_of_token(token: str | None) -> Household | None:
    """The registered household a result's token names, or None (forged, expired, gone)."""
    try:
        household_id, village_code = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    household = db.session.get(Household, household_id)
    if household is None or household.village_code != village_code:
        return None
    if household.status != HouseholdStatus.ACTIVE:
        return None
    return household


def check_name(text: str | None) -> str:
    name = " ".join((text or "").split())
    if sum(character.isalpha() for character in name) < MIN_LETTERS:
        raise ValidationError(
            gettext("Type at least %(count)d letters of the name.", count=MIN_LETTERS), "name"
        )
    return name[:100]


def search(village_code: str, name_text: str) -> list[Person]:
    """People of the village's determined register whose name contains `name_text`, at most
    CEK_MAX_RESULTS, heads first; counted for the village and day."""
    village = regions.get_village(village_code)
    name = check_name(name_text)
    period = last_closed_period()
    count_search(village.code)
    if period is None:
        return []
    rows = db.session.execute(
        sa.select(
            Member.full_name,
            Member.birth_date,
            Member.relation_to_head,
            Household.id,
            PeriodSnapshot.welfare_decile,
        )
        .join(Household, Household.id == Member.household_id)
        .join(
            PeriodSnapshot,
            sa.and_(
                PeriodSnapshot.household_id == Household.id,
                PeriodSnapshot.period_id == period.id,
            ),
        )
        .where(
            Household.village_code == village.code,
            Household.status == HouseholdStatus.ACTIVE,
            Member.status == MemberStatus.ACTIVE,
            sa.func.lower(Member.full_name).contains(name.lower(), autoescape=True),
        )
        .order_by(Member.relation_to_head, Member.full_name, Member.id)
        .limit(current_app.config["CEK_MAX_RESULTS"])
    ).all()
    programs = _programs(period.id, {row.id for row in rows})
    today = clock.today()
    return [
        Person(
            masked_name=mask(row.full_name),
            age=age_on(row.birth_date, today),
            is_head=row.relation_to_head.name == "HEAD",
            programs=programs.get(row.id, ()),
            decile=row.welfare_decile,
            token=household_token(row.id, village.code),
        )
        for row in rows
    ]


def _programs(period_id: int, household_ids: set[int]) -> dict[int, tuple[str, ...]]:
    if not household_ids:
        return {}
    found: dict[int, list[str]] = {}
    for household_id, name in db.session.execute(
        sa.select(PeriodSnapshotProgram.household_id, Program.name)
        .join(Program, Program.id == PeriodSnapshotProgram.program_id)
        .where(
            PeriodSnapshotProgram.period_id == period_id,
            PeriodSnapshotProgram.household_id.in_(household_ids),
        )
        .order_by(Program.name)
    ):
        found.setdefault(household_id, []).append(name)
    return {key: tuple(value) for key, value in found.items()}


def count_search(village_code: str) -> None:
    """One more search of the village today (WIB), committed at once."""
    day = clock.today()

    def add_one() -> int:
        return db.session.execute(
            sa.update(PublicLookupCount)
            .where(PublicLookupCount.village_code == village_code, PublicLookupCount.day == day)
            .values(searches=PublicLookupCount.searches + 1)
        ).rowcount

    if not add_one():
        db.session.add(PublicLookupCount(village_code=village_code, day=day, searches=1))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a simultaneous first search of the day
        db.session.rollback()
        add_one()
        db.session.commit()
