"""The one rule of how alike two people are, and the two levels."""

import datetime

import pytest

from app.duplicates.scoring import LIKELY, POSSIBLE, Person, birth_date_agreement, score

BORN = datetime.date(1984, 3, 7)


def person(**changes) -> Person:
    values = dict(
        id=1,
        nik="3273014703840012",
        full_name="Siti Aminah",
        birth_date=BORN,
        sex="FEMALE",
        household_id=10,
        village_code="32.73.01.1001",
        kk_number="3273010101090001",
        address="Jl. Cibadak No. 5",
    )
    values.update(changes)
    return Person(**values)


def level(a, b):
    return score(a, b).level(8, 5)


def test_a_nik_one_typo_away_with_the_same_name_and_birth_date_is_likely():
    found = score(person(), person(id=2, nik="3273014703840013"))
    assert found.level(8, 5) == LIKELY
    assert {"name_same", "birth_date_same", "nik_one_edit"} <= set(found.reasons)


def test_swapped_digits_and_a_swapped_day_and_month_are_likely():
    other = person(id=2, nik="3273014703840021", birth_date=datetime.date(1984, 7, 3))
    assert level(person(), other) == LIKELY
    assert "birth_date_swapped" in score(person(), other).reasons


def test_a_title_and_an_old_spelling_do_not_hide_a_person():
    other = person(id=2, full_name="Hj. Aminah", nik="3273014703840019", household_id=11)
    assert level(person(), other) == LIKELY


def test_a_name_and_a_birth_date_alone_are_only_possible():
    other = person(id=2, nik="3273014703845555", household_id=99, kk_number=None, address="x")
    assert level(person(), other) == POSSIBLE


def test_twins_are_never_raised():
    twin = person(id=2, full_name="Siti Rahmah", nik="3273014703840013")
    assert score(person(), twin).points < 5
    assert level(person(), twin) is None


def test_another_sex_or_another_birth_date_weighs_against():
    assert level(person(), person(id=2, sex="MALE", nik="3273014703840013")) != LIKELY
    far = person(id=2, birth_date=datetime.date(1990, 1, 1), nik="3273010101900044")
    assert level(person(), far) is None


@pytest.mark.parametrize(
    "other, agreement",
    [
        (datetime.date(1984, 3, 7), "same"),
        (datetime.date(1984, 7, 3), "swapped"),
        (datetime.date(1984, 3, 8), "one_field"),
        (datetime.date(1985, 3, 7), "one_field"),
        (datetime.date(1990, 5, 1), "different"),
    ],
)
def test_birth_dates_agree_in_four_ways(other, agreement):
    assert birth_date_agreement(BORN, other) == agreement
