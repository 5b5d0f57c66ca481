"""The people of a demo household: who lives there (head, spouse, children, a married child's
family on a card of its own, parents, relatives), their ages, schooling, work and health, and
their NIKs (DESIGN §3: district, birth date with 40 added for women, serial)."""

import bisect
import datetime
import itertools
import random
from dataclasses import dataclass

from app.demo.distributions import FARM_WORK, PICK, SECOND_FAMILY_SHARE
from models.enums import (
    ChronicIllness,
    Disability,
    Education,
    EmploymentStatus,
    MaritalStatus,
    Occupation,
    Relationship,
    SchoolAttendance,
    Sex,
)


@dataclass
class Person:
    relation: Relationship
    sex: Sex
    birth_date: datetime.date
    family: int = 0
    marital: MaritalStatus = MaritalStatus.SINGLE
    working: float = 0.0  # probability of working, for adults out of school


def _born(rng: random.Random, today: datetime.date, age: float) -> datetime.date:
    """A birth date `age` years (fractional) before the reference day, never after it."""
    days = int(age * 365.25) + rng.randrange(365)
    return today - datetime.timedelta(days=max(days, 1))


def draw_people(rng: random.Random, today: datetime.date) -> list[Person]:
    """The people of one household, the head first; `family` numbers their family cards."""
    two_families = rng.random() < SECOND_FAMILY_SHARE
    head_sex = Sex.MALE if rng.random() < 0.8 else Sex.FEMALE
    if two_families:
        head_age = min(85, max(45, int(rng.gauss(58, 8))))
    else:
        head_age = min(90, max(19, int(rng.gauss(46, 13))))
    head = Person(Relationship.HEAD, head_sex, _born(rng, today, head_age))
    people = [head]

    mother_age = None
    if head_sex is Sex.MALE:
        married = rng.random() < (0.9 if head_age < 65 else 0.62)
        if married:
            head.marital = MaritalStatus.MARRIED
            wife_age = min(head_age, max(17, int(head_age - rng.gauss(4, 3))))
            people.append(
                Person(
                    Relationship.SPOUSE,
                    Sex.FEMALE,
                    _born(rng, today, wife_age),
                    marital=MaritalStatus.MARRIED,
                    working=0.4,
                )
            )
            mother_age = wife_age
        else:
            head.marital = _pick_alone(rng, head_age)
            mother_age = head_age - 4 if head.marital is not MaritalStatus.SINGLE else None
        head.working = 0.92 if head_age < 65 else (0.55 if head_age < 75 else 0.2)
    else:
        head.marital = _pick_alone(rng, head_age)
        head.working = 0.75 if head_age < 60 else 0.3
        mother_age = head_age if head.marital is not MaritalStatus.SINGLE else None
    if two_families and head.marital is MaritalStatus.SINGLE:
        head.marital = MaritalStatus.WIDOWED  # a married child's parent
        mother_age = head_age if head_sex is Sex.FEMALE else head_age - 4

    if mother_age is not None:
        for child_age in _children_ages(rng, mother_age):
            if child_age > 30 or (child_age > 24 and rng.random() < 0.5):
                continue  # grown up and moved out
            sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
            child = Person(
                Relationship.CHILD,
                sex,
                _born(rng, today, child_age),
                working=0.7 if sex is Sex.MALE else 0.45,
            )
            if child_age >= 22 and rng.random() < 0.05:
                child.marital = MaritalStatus.DIVORCED
            people.append(child)

    if head_age < 62 and rng.random() < 0.07:
        parent_age = min(95, head_age + rng.randint(20, 33))
        sex = Sex.FEMALE if rng.random() < 0.75 else Sex.MALE
        people.append(
            Person(
                Relationship.PARENT,
                sex,
                _born(rng, today, parent_age),
                marital=MaritalStatus.WIDOWED,
                working=0.1,
            )
        )
    if rng.random() < 0.03:
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        people.append(
            Person(Relationship.OTHER, sex, _born(rng, today, rng.randint(4, 24)), working=0.5)
        )

    if two_families:
        # A married child living with the parents, on a family card of their own.
        child_age = min(head_age - 19, max(19, int(rng.gauss(27, 4))))
        child_sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        in_law_age = max(
            18, child_age + (rng.randint(0, 6) if child_sex is Sex.MALE else -rng.randint(0, 6))
        )
        in_law_age = min(in_law_age, child_age + 8)
        child = Person(
            Relationship.CHILD,
            child_sex,
            _born(rng, today, child_age),
            family=1,
            marital=MaritalStatus.MARRIED,
            working=0.9 if child_sex is Sex.MALE else 0.35,
        )
        in_law_sex = Sex.FEMALE if child_sex is Sex.MALE else Sex.MALE
        in_law = Person(
            Relationship.CHILD_IN_LAW,
            in_law_sex,
            _born(rng, today, in_law_age),
            family=1,
            marital=MaritalStatus.MARRIED,
            working=0.9 if in_law_sex is Sex.MALE else 0.35,
        )
        people += [child, in_law]
        young_mother = child_age if child_sex is Sex.FEMALE else in_law_age
        for grandchild_age in _children_ages(rng, young_mother, most=3):
            sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
            people.append(
                Person(Relationship.GRANDCHILD, sex, _born(rng, today, grandchild_age), family=1)
            )
    return people


def _pick_alone(rng, age: int) -> MaritalStatus:
    if age < 30:
        return MaritalStatus.SINGLE if rng.random() < 0.6 else MaritalStatus.DIVORCED
    if age < 55:
        return (
            MaritalStatus.DIVORCED
            if rng.random() < 0.55
            else (MaritalStatus.WIDOWED if rng.random() < 0.8 else MaritalStatus.SINGLE)
        )
    return MaritalStatus.WIDOWED if rng.random() < 0.85 else MaritalStatus.DIVORCED


_CHILDREN_WEIGHTS = (0.07, 0.17, 0.3, 0.23, 0.12, 0.07, 0.04)
_CHILDREN_CUMULATIVE = list(itertools.accumulate(_CHILDREN_WEIGHTS))


def _children_ages(rng, mother_age: int, most: int = 6) -> list[int]:
    """Ages of a mother's children: first born at 19-28, then every 2-5 years."""
    count = bisect.bisect(_CHILDREN_CUMULATIVE, rng.random() * _CHILDREN_CUMULATIVE[-1])
    ages = []
    mother_at_birth = rng.randint(19, 28)
    for _ in range(min(count, most)):
        age = mother_age - mother_at_birth
        if age < 0 or mother_at_birth > 44:
            break
        ages.append(age)
        mother_at_birth += rng.randint(2, 5)
    return ages


def schooling(rng, age: int, decile: int):
    if age < 5:
        return SchoolAttendance.NEVER, Education.NONE
    if age < 7:
        return (
            SchoolAttendance.ATTENDING if rng.random() < 0.5 else SchoolAttendance.NEVER,
            Education.NONE,
        )
    if age <= 12:
        return (
            SchoolAttendance.ATTENDING if rng.random() < 0.98 else SchoolAttendance.LEFT,
            Education.NONE,
        )
    if age <= 15:
        if rng.random() < 0.92:
            return SchoolAttendance.ATTENDING, Education.PRIMARY
        return SchoolAttendance.LEFT, Education.PRIMARY if rng.random() < 0.8 else Education.NONE
    if age <= 18:
        if rng.random() < 0.7:
            return SchoolAttendance.ATTENDING, Education.JUNIOR
        return SchoolAttendance.LEFT, Education.JUNIOR if rng.random() < 0.6 else Education.PRIMARY
    if age <= 24:
        if rng.random() < 0.08:
            return SchoolAttendance.ATTENDING, Education.SENIOR
        return SchoolAttendance.LEFT, PICK["youth_education"](rng)
    if age < 60:
        education = PICK["adult_education"](rng, decile)
    else:
        education = PICK["elder_education"](rng)
    if education is Education.NONE and rng.random() < 0.6:
        return SchoolAttendance.NEVER, education
    return SchoolAttendance.LEFT, education


def work(
    rng: random.Random, person: Person, age: int, attendance: SchoolAttendance, kind: str
) -> tuple:
    """(occupation, employment status): none under 10, work only for those out of school."""
    occupation = employment = None
    if age >= 10:
        occupation, employment = Occupation.NOT_WORKING, EmploymentStatus.NOT_WORKING
        if (
            attendance is not SchoolAttendance.ATTENDING
            and age >= 15
            and (rng.random() < person.working)
        ):
            occupation = PICK["occupation"][kind](rng)
            farm = occupation in FARM_WORK
            employment = PICK["farm_employment" if farm else "other_employment"](rng)
            if person.relation is Relationship.SPOUSE and rng.random() < 0.3:
                employment = EmploymentStatus.FAMILY_WORKER
    return occupation, employment


def health(rng: random.Random, age: int) -> tuple[Disability, ChronicIllness]:
    """(disability, chronic illness), both more likely with age."""
    disability = Disability.NONE
    if rng.random() < 0.01 + 0.0015 * max(0, age - 40):
        disability = PICK["disability"](rng)
    illness = ChronicIllness.NONE
    if rng.random() < (0.02 if age < 40 else 0.12 if age < 60 else 0.3):
        illness = PICK["illness"](rng)
        if age < 40 and rng.random() < 0.5:
            illness = ChronicIllness.ASTHMA
    return disability, illness


def nik(district: str, person: Person, rng: random.Random) -> str:
    """A NIK of the district: day of birth (plus 40 for women), month, year, a serial 1–4999
    (5000–9999 are left for app.demo.bulk's redraws)."""
    day = person.birth_date.day + (40 if person.sex is Sex.FEMALE else 0)
    serial = rng.randint(1, 4999)
    return f"{district}{day:02d}{person.birth_date:%m%y}{serial:04d}"
