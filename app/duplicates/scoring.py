"""How alike two people are: evidence for and against their being one person, added up.

The score is a sum of evidence, in the spirit of Fellegi–Sunter: each field that agrees adds
what such an agreement is worth, each that disagrees takes away what the disagreement costs.
Comparisons are rapidfuzz's (Jaro–Winkler and token-order ratios on the names normalised by
app.duplicates.names, optimal string alignment for NIKs and token-set ratios for addresses).

    name         same (≥ 0.95) +4 · similar (≥ 0.88) +3 · close (≥ 0.80) +1.5 · else −3
    birth date   same +3 · day and month swapped +2 · one of day/month/year off +1.5 · else −3
    sex          differs −5
    and only when the names are at least close (siblings share the rest; twins' NIK serials
    are often neighbours):
    NIK          one edit or one transposition away +3 · two +1
    family card  the same KK number +1
    address      same village and alike (≥ 0.85) +1

The levels (config): LIKELY at DUPLICATE_LIKELY_SCORE (8) — a name and a birth date that agree
and one more piece of evidence (a NIK one typo away, the same card or address): wrong too rarely
to bother a verifier for nothing; POSSIBLE at DUPLICATE_POSSIBLE_SCORE (5) — a name and a birth
date alone, which namesakes born on one day also share, so a verifier looks before anyone acts.
Twins (one date, one card, neighbouring NIKs, different names) score 0 and are never raised;
the same name and date with another sex is at most possible.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from app.duplicates import names

LIKELY, POSSIBLE = "likely", "possible"


@dataclass(frozen=True)
class Person:
    """What the comparison reads of a member (and of their household)."""

    id: int
    nik: str
    full_name: str
    birth_date: datetime.date
    sex: str
    household_id: int | None = None
    village_code: str | None = None
    kk_number: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Score:
    points: float
    reasons: tuple[str, ...]

    def level(self, likely: float, possible: float) -> str | None:
        if self.points >= likely:
            return LIKELY
        if self.points >= possible:
            return POSSIBLE
        return None


def name_similarity(a: str, b: str) -> float:
    """0–1: the better of Jaro–Winkler (typos, endings) and token order (words swapped)."""
    first, second = names.normalise(a), names.normalise(b)
    if not first or not second:
        return 0.0
    return max(
        JaroWinkler.normalized_similarity(first, second),
        fuzz.token_sort_ratio(first, second) / 100,
    )


def birth_date_agreement(a: datetime.date, b: datetime.date) -> str:
    if a == b:
        return "same"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    differing = (a.year != b.year) + (a.month != b.month) + (a.day != b.day)
    return "one_field" if differing == 1 else "different"


def score(a: Person, b: Person) -> Score:
    points, reasons = 0.0, []

    similarity = name_similarity(a.full_name, b.full_name)
    if similarity >= 0.95:
        points, reasons = points + 4, [*reasons, "name_same"]
    elif similarity >= 0.88:
        points, reasons = points + 3, [*reasons, "name_similar"]
    elif similarity >= 0.80:
        points, reasons = points + 1.5, [*reasons, "name_close"]
    else:
        points -= 3

    born = birth_date_agreement(a.birth_date, b.birth_date)
    points += {"same": 3, "swapped": 2, "one_field": 1.5, "different": -3}[born]
    if born != "different":
        reasons.append(f"birth_date_{born}")

    if a.sex != b.sex:
        points, reasons = points - 5, [*reasons, "sex_differs"]
    if similarity < 0.80:
        # Siblings share a card, an address and — twins — neighbouring NIK serials: without
        # an agreeing name these say nothing about being one person.
        return Score(round(points, 1), tuple(reasons))

    distance = OSA.distance(a.nik, b.nik)
    if distance == 1:
        points, reasons = points + 3, [*reasons, "nik_one_edit"]
    elif distance == 2:
        points, reasons = points + 1, [*reasons, "nik_two_edits"]
    if a.kk_number and a.kk_number == b.kk_number:
        points, reasons = points + 1, [*reasons, "same_kk"]
    if (
        a.village_code
        and a.village_code == b.village_code
        and a.address
        and b.address
        and fuzz.token_set_ratio(a.address.lower(), b.address.lower()) >= 85
    ):
        points, reasons = points + 1, [*reasons, "same_address"]
    return Score(round(points, 1), tuple(reasons))
