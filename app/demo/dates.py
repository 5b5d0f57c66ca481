"""Date arithmetic of the demo: ages on the reference day, anniversaries, a day between two."""

import datetime
import random


def age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if first >= last:
        return last
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
