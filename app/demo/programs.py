"""Program memberships of a demo household, at the take-up of its welfare decile: PBI JK per
family card (everyone on it), PKH and BPNT per family, PIP per school child, RUTILAHU for a poor
house; with card numbers of each program's form."""

import datetime
import random
from collections.abc import Callable

from app.demo import dates
from app.demo.distributions import (
    BPNT_BY_DECILE,
    PBI_BY_DECILE,
    PKH_BY_DECILE,
    POOR_FLOORS,
    POOR_ROOFS,
    POOR_WALLS,
)
from models.enums import Disability, MembershipStatus, SchoolAttendance


def draw_memberships(
    rng: random.Random,
    household: dict,
    family_ids: list[int],
    members: list[dict],
    programs: dict[str, int],
    today: datetime.date,
    next_id: Callable[[], int],
) -> list[dict]:
    """The program_membership rows of one household; `programs` gives a program's id by its
    code, `next_id()` each row's id."""
    memberships: list[dict] = []
    decile = household["welfare_decile"]

    def add(code, start, card, family_id=None, member_id=None):
        memberships.append(
            {
                "id": next_id(),
                "program_id": programs[code],
                "household_id": household["id"],
                "family_id": family_id,
                "member_id": member_id,
                "status": MembershipStatus.ACTIVE,
                "start_date": start,
                "end_date": None,
                "card_number": card,
            }
        )

    for family_id in family_ids:
        people = [m for m in members if m["family_id"] == family_id]
        ages = [dates.age(m["birth_date"], today) for m in people]
        # PBI JK is granted per family card: everyone on it, newborns from their birth.
        if rng.random() < PBI_BY_DECILE[decile - 1]:
            enrolled = dates.between(rng, datetime.date(2014, 1, 1), today)
            for member in people:
                start = max(enrolled, member["birth_date"])
                add("PBI-JK", start, f"000{rng.randrange(10**10):010d}", member_id=member["id"])
        # PKH needs a component: young children, school children, elderly, disability.
        eligible = any(a < 19 or a >= 60 for a in ages) or any(
            m["disability"] is not Disability.NONE for m in people
        )
        kks = f"6013{rng.randrange(10**12):012d}"  # one welfare card per family
        in_pkh = eligible and rng.random() < PKH_BY_DECILE[decile - 1]
        if in_pkh:
            add(
                "PKH",
                dates.between(rng, datetime.date(2012, 1, 1), today),
                kks,
                family_id=family_id,
            )
        if rng.random() < BPNT_BY_DECILE[decile - 1]:
            add(
                "BPNT",
                dates.between(rng, datetime.date(2017, 2, 1), today),
                kks,
                family_id=family_id,
            )
        if decile <= 5:
            chance = 0.6 if in_pkh else (0.3 if decile <= 4 else 0.1)
            for member, age in zip(people, ages, strict=True):
                if (
                    6 <= age <= 21
                    and member["school_attendance"] is SchoolAttendance.ATTENDING
                    and rng.random() < chance
                ):
                    start_of_school = dates.add_years(member["birth_date"], 6)
                    start = dates.between(
                        rng, max(datetime.date(2015, 1, 1), start_of_school), today
                    )
                    add("PIP", start, _kip_number(rng), member_id=member["id"])
    poor_house = (
        household["floor_type"] in POOR_FLOORS
        or household["wall_type"] in POOR_WALLS
        or household["roof_type"] in POOR_ROOFS
    )
    if decile <= 4 and poor_house and rng.random() < 0.15:
        start = dates.between(rng, today - datetime.timedelta(days=730), today)
        add("RUTILAHU", start, f"RTLH/{start.year}/{rng.randint(1, 99999):05d}")

    return memberships


_KIP_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _kip_number(rng: random.Random) -> str:
    return "".join(rng.choice(_KIP_LETTERS) for _ in range(6))
