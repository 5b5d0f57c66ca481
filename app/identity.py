"""NIK and KK number rules (DESIGN §3), written once for forms, API, imports and the CLI.

A malformed number or an impossible date is an error; a NIK whose embedded birth date or sex
differs from the recorded one is only a warning, because a NIK never changes even when wrong.
"""
import datetime
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext
from lokal import parse_nik
from lokal.provinces import PROVINCES

from app.extensions import db
from models import Family, Member
from models.enums import MemberStatus, Sex

#: Statuses of people who count as living members of the register.
LIVING = (MemberStatus.ACTIVE, MemberStatus.PROPOSED)
_SEPARATORS = re.compile(r"[\s.\-]")
_SIXTEEN = re.compile(r"[0-9]{16}")


@dataclass
class Check:
    """Outcome of a check: the cleaned number, errors that block a save, warnings that do not."""

    value: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_number(value) -> str:
    return _SEPARATORS.sub("", str(value or ""))


def check_nik(
    value, birth_date: datetime.date | None = None, sex: Sex | None = None
) -> Check:
    """Structure of a NIK, and how it agrees with the recorded birth date and sex."""
    check = Check(clean_number(value))
    if not _SIXTEEN.fullmatch(check.value):
        check.errors.append(gettext("NIK must be exactly 16 digits."))
        return check
    parsed = parse_nik(check.value)
    codes = {issue.code for issue in parsed.errors}
    if "province" in codes:
        check.errors.append(
            gettext("NIK starts with an unknown province code %(code)s.", code=check.value[:2])
        )
    if "wilayah" in codes:
        check.errors.append(gettext("NIK regency and district codes may not be 00."))
    if "birth_date" in codes:
        check.errors.append(gettext("NIK contains an impossible birth date."))
    if "serial" in codes:
        check.errors.append(gettext("NIK serial number may not be 0000."))
    if check.errors:
        return check

    day, month, yy = int(check.value[6:8]), int(check.value[8:10]), int(check.value[10:12])
    nik_sex = Sex.FEMALE if day > 40 else Sex.MALE
    day = day - 40 if day > 40 else day
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
        check.warnings.append(
            gettext(
                "The birth date in the NIK (%(nik_date)s) differs from the recorded birth date.",
                nik_date=f"{day:02d}-{month:02d}-{yy:02d}",
            )
        )
    if sex and sex != nik_sex:
        check.warnings.append(
            gettext("The NIK encodes sex %(nik_sex)s, but %(sex)s is recorded.",
                    nik_sex=nik_sex.label, sex=sex.label)
        )
    return check


def check_kk(value) -> Check:
    """A KK number: 16 digits, issuing district code, issue date (DDMMYY), serial."""
    check = Check(clean_number(value))
    if not _SIXTEEN.fullmatch(check.value):
        check.errors.append(gettext("KK number must be exactly 16 digits."))
        return check
    digits = check.value
    if digits[:2] not in PROVINCES:
        check.errors.append(
            gettext("KK number starts with an unknown province code %(code)s.", code=digits[:2])
        )
    if digits[2:4] == "00" or digits[4:6] == "00":
        check.errors.append(gettext("KK number regency and district codes may not be 00."))
    try:
        datetime.date(2000 + int(digits[10:12]), int(digits[8:10]), int(digits[6:8]))
    except ValueError:
        check.errors.append(gettext("KK number contains an impossible issue date."))
    if digits[12:] == "0000":
        check.errors.append(gettext("KK number serial may not be 0000."))
    return check


def nik_taken(nik: str, except_member_id: int | None = None) -> bool:
    """Whether another active person in the register already has this NIK."""
    query = sa.select(Member.id).where(Member.nik == nik, Member.status.in_(LIVING))
    if except_member_id:
        query = query.where(Member.id != except_member_id)
    return db.session.execute(query.limit(1)).first() is not None


def kk_taken(kk_number: str, except_family_id: int | None = None) -> bool:
    query = sa.select(Family.id).where(Family.kk_number == kk_number)
    if except_family_id:
        query = query.where(Family.id != except_family_id)
    return db.session.execute(query.limit(1)).first() is not None


def check_birth_date(birth_date) -> list[str]:
    if birth_date and birth_date > datetime.date.today():
        return [gettext("Birth date may not be in the future.")]
    return []


def validate_member_identity(
    nik, birth_date, sex, member_id: int | None = None, active: bool = True
) -> Check:
    """Everything the register asks of a member's NIK, including uniqueness among the living."""
    check = check_nik(nik, birth_date, sex)
    check.errors.extend(check_birth_date(birth_date))
    if check.ok and active and nik_taken(check.value, member_id):
        check.errors.append(
            gettext("NIK %(nik)s already belongs to another living person in the register.",
                    nik=check.value)
        )
    return check


def validate_family_number(kk_number, family_id: int | None = None) -> Check:
    check = check_kk(kk_number)
    if check.ok and kk_taken(check.value, family_id):
        check.errors.append(
            gettext("KK number %(kk)s is already registered for another family.", kk=check.value)
        )
    return check
