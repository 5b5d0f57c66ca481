"""Numbers an official letter carries: the signatory's NIP and the letter's agenda number."""

from __future__ import annotations

import datetime
import string

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import ValidationError
from app.extensions import db
from models.certificates import Certificate
from models.offices import DEFAULT_AGENDA_PATTERN

NIP_LENGTH = 18
#: What an agenda number pattern may use: the sequence, the year, the month in Roman numerals.
AGENDA_FIELDS = frozenset({"seq", "year", "month"})
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def check_nip(text: str | None) -> str | None:
    """A civil servant number (NIP, PP 11/2017) as stored — 18 digits: birth date YYYYMMDD,
    month of appointment YYYYMM, sex (1 man, 2 woman), serial — or None when empty. Spaces, as
    printed ("19700101 199503 1 002"), are dropped. ValidationError for anything else."""
    nip = "".join((text or "").split())
    if not nip:
        return None
    if len(nip) != NIP_LENGTH or not (nip.isascii() and nip.isdigit()):
        raise ValidationError(
            gettext(
                "A NIP has 18 digits: birth date (8), month of appointment (6), sex (1) and a "
                "serial number (3)."
            ),
            "signatory_nip",
        )
    try:
        born = datetime.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
        appointed = datetime.date(int(nip[8:12]), int(nip[12:14]), 1)
    except ValueError:
        born = appointed = None
    if born is None or appointed is None or not born.year + 15 <= appointed.year <= 2100:
        raise ValidationError(
            gettext(
                "This NIP does not start with a birth date (YYYYMMDD) followed by a later month "
                "of appointment (YYYYMM)."
            ),
            "signatory_nip",
        )
    if nip[14] not in "12":
        raise ValidationError(
            gettext("The 15th digit of a NIP is the sex: 1 (man) or 2 (woman)."), "signatory_nip"
        )
    return nip


def format_nip(nip: str | None) -> str:
    """ "197001011995031002" → "19700101 199503 1 002", as letters print it."""
    if not nip or len(nip) != NIP_LENGTH:
        return nip or ""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def check_agenda_pattern(pattern: str | None) -> str:
    """An agenda number pattern such as "400.9/{seq}/Dinsos/{year}": {seq} required, {year}
    and {month} (Roman) allowed, nothing else. ValidationError otherwise."""
    pattern = (pattern or "").strip()
    message = gettext(
        "An agenda number pattern holds {seq} and may hold {year} and {month}, e.g. "
        "400.9/{seq}/Dinsos/{year}."
    )
    try:
        parts = [part for part in string.Formatter().parse(pattern) if part[1] is not None]
        pattern.format(seq=1, year=2026, month="XII")
    except (ValueError, KeyError, IndexError, AttributeError):
        raise ValidationError(message, "agenda_pattern") from None
    fields = {name for _text, name, _spec, _conversion in parts}
    # No format specs or conversions: "{seq:>99999}" would print a page of spaces.
    plain = all(not spec and not conversion for _text, _name, spec, conversion in parts)
    if "seq" not in fields or not fields <= AGENDA_FIELDS or not plain:
        raise ValidationError(message, "agenda_pattern")
    return pattern


def agenda_number(pattern: str | None, seq: int, on: datetime.date) -> str:
    """The letter's number from its office's pattern (a stored pattern is checked; one broken
    outside the form falls back to the default)."""
    values = {"seq": seq, "year": on.year, "month": ROMAN_MONTHS[on.month - 1]}
    try:
        return check_agenda_pattern(pattern).format(**values)
    except ValidationError:
        return DEFAULT_AGENDA_PATTERN.format(**values)


class AgendaBook:
    """The agenda book of one transaction: the next number of a regency's year is one more than
    the largest stored or already handed out. The unique (regency_code, agenda_year,
    agenda_seq) refuses a number another transaction took meanwhile."""

    def __init__(self):
        self._last: dict[tuple[str, int], int] = {}

    def next(self, regency_code: str, year: int) -> int:
        key = (regency_code, year)
        if key not in self._last:
            self._last[key] = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.max(Certificate.agenda_seq), 0)).where(
                    Certificate.regency_code == regency_code, Certificate.agenda_year == year
                )
            )
        self._last[key] += 1
        return self._last[key]


def next_agenda_number(
    regency_code: str, pattern: str | None, on: datetime.date, book: AgendaBook | None = None
) -> tuple[int, str]:
    """(sequence, agenda number) of the next letter of the regency's office on `on`."""
    seq = (book or AgendaBook()).next(regency_code, on.year)
    return seq, agenda_number(pattern, seq, on)
