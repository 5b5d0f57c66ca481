"""Households entered twice — by two villages, or again after a move — found from the people the
scan has just matched: two households are one when most of the smaller one's people are likely
duplicates of the other's.

    matched   the smaller household's people with a likely duplicate in the other (at least 2)
    share     matched / the smaller household's living people (at least a half)
    points    6 + 4 × share, and +1 for the same village with an alike address (≥ 0.85)
    level     LIKELY from a share of three quarters, POSSIBLE from a half

A single person found again in another household stays a member candidate: the household they
joined is not a second entry of the one they left.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from rapidfuzz import fuzz

from app.duplicates import scoring
from app.duplicates.people import LIVING_HOUSEHOLDS, LIVING_MEMBERS
from app.extensions import db
from models import Household, Member

LEAST_MATCHED = 2
LEAST_SHARE = 0.5
LIKELY_SHARE = 0.75


@dataclass(frozen=True)
class Home:
    """What the household comparison reads of a household."""

    id: int
    version: int
    village_code: str
    address: str
    size: int


def homes(ids: set[int]) -> dict[int, Home]:
    """The living households among `ids`, with their living people counted."""
    if not ids:
        return {}
    living = sa.func.sum(sa.case((Member.status.in_(LIVING_MEMBERS), 1), else_=0))
    rows = db.session.execute(
        sa.select(
            Household.id, Household.version, Household.village_code, Household.address, living
        )
        .join(Member, Member.household_id == Household.id)
        .where(Household.id.in_(sorted(ids)), Household.status.in_(LIVING_HOUSEHOLDS))
        .group_by(Household.id, Household.version, Household.village_code, Household.address)
    )
    return {row[0]: Home(*row[:4], int(row[4] or 0)) for row in rows}


def household_pairs(member_pairs) -> dict[tuple[int, int], tuple[Home, Home, scoring.Score, str]]:
    """Household pairs (lower id first) from the scored member pairs (objects with `first`,
    `second` — living_members rows — and `level`): (home, home, score, level) of each."""
    matched = defaultdict(lambda: (set(), set()))
    for found in member_pairs:
        if found.level.name != "LIKELY":
            continue
        a, b = found.first, found.second
        if a.household_id == b.household_id:
            continue
        if a.household_id > b.household_id:
            a, b = b, a
        people = matched[(a.household_id, b.household_id)]
        people[0].add(a.id)
        people[1].add(b.id)
    known = homes({household for pair in matched for household in pair})
    found = {}
    for (first_id, second_id), (first_people, second_people) in matched.items():
        first, second = known.get(first_id), known.get(second_id)
        if first is None or second is None:
            continue
        count = min(len(first_people), len(second_people))
        share = count / max(1, min(first.size, second.size))
        if count < LEAST_MATCHED or share < LEAST_SHARE:
            continue
        points, reasons = 6 + 4 * min(share, 1.0), ["members_match"]
        if (
            first.village_code == second.village_code
            and fuzz.token_set_ratio(first.address.lower(), second.address.lower()) >= 85
        ):
            points, reasons = points + 1, [*reasons, "same_address"]
        level = scoring.LIKELY if share >= LIKELY_SHARE else scoring.POSSIBLE
        found[(first_id, second_id)] = (
            first,
            second,
            scoring.Score(round(points, 1), tuple(reasons)),
            level,
        )
    return found
