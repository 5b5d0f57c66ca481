"""NIK and KK number rules (DESIGN §3), written once for forms, API, imports and the CLI.

A malformed number or an impossible date is an error; a NIK whose embedded birth date or sex
differs from the recorded one is only a warning, because a NIK never changes even when wrong.

Uniqueness: a number already held by a record of the user's region is refused with a message
that says so; one held outside it only "is already registered and cannot be used" — not where
or by whom — and each such answer counts against the user's conflict allowance
(app.security.lookups): a form, the API or an import is no cheap way of learning who is registered
elsewhere.
"""

import datetime
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext
from lokal import parse_nik
from lokal.provinces import PROVINCES

from app.extensions import db
from app.security import lookups, scope
from models import Family, Household, Member
from models.enums import MemberStatus, Sex

#: Statuses of people who count as living members of the register.
LIVING = (MemberStatus.ACTIVE, MemberStatus.PROPOSED)
_SEPARATORS = re.compile(r"[\s.\-]")
#: A NIK or KK number: 16 ASCII digits.
SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")


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


def check_nik(value, birth_date: datetime.date | None = None, sex: Sex | None = None) -> Check:
    """Structure of a NIK, and how it agrees with the recorded birth date and sex."""
    check = Check(clean_number(value))
    if not SIXTEEN_DIGITS.fullmatch(check.value):
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
        nik_date = f"{day:02d}-{month:02d}-{yy:02d}"
        check.warnings.append(
            gettext(
                "The birth date in the NIK (%(nik_date)s) differs from the recorded birth date.",
                nik_date=nik_date,
            )
        )
    if sex and sex != nik_sex:
        check.warnings.append(
            gettext(
                "The NIK encodes sex %(nik_sex)s, but %(sex)s is recorded.",
                nik_sex=nik_sex.label,
                sex=sex.label,
            )
        )
    return check


def check_kk(value) -> Check:
    """A KK number: 16 digits, issuing district code, issue date (DDMMYY), serial."""
    check = Check(clean_number(value))
    if not SIXTEEN_DIGITS.fullmatch(check.value):
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


def nik_holder_region(nik: str, except_member_id: int | None = None) -> str | None:
    """The village of another living person in the register who has this NIK, if any."""
    query = (
        sa.select(Household.village_code)
        .join(Member, Member.household_id == Household.id)
        .where(Member.nik == nik, Member.status.in_(LIVING))
    )
    if except_member_id:
        query = query.where(Member.id != except_member_id)
    return db.session.scalar(query.limit(1))


def kk_holder_region(kk_number: str, except_family_id: int | None = None) -> str | None:
    """The village of the household of another family with this KK number, if any."""
    query = (
        sa.select(Household.village_code)
        .join(Family, Family.household_id == Household.id)
        .where(Family.kk_number == kk_number)
    )
    if except_family_id:
        query = query.where(Family.id != except_family_id)
    return db.session.scalar(query.limit(1))


def nik_taken(nik: str, except_member_id: int | None = None) -> bool:
    """Whether another living person in the register already has this NIK."""
    return nik_holder_region(nik, except_member_id) is not None


def kk_taken(kk_number: str, except_family_id: int | None = None) -> bool:
    return kk_holder_region(kk_number, except_family_id) is not None


def registered_elsewhere(number_kind: str, number: str) -> str:
    """The one answer about a number held outside the user's region."""
    if number_kind == "nik":
        return gettext("NIK %(nik)s is already registered and cannot be used.", nik=number)
    if number_kind == "kk_number":
        return gettext("KK number %(kk)s is already registered and cannot be used.", kk=number)
    return gettext("Register ID %(id)s is already registered and cannot be used.", id=number)


def conflict_message(
    number_kind: str,
    number: str,
    holder_region: str | None,
    in_region_message: str,
    region_scope: str | None = None,
    door: str = "form",
) -> str | None:
    """The error for a number another record holds (None: no other record does): named when
    that record lies in the user's region, else generic and counted (app.security.lookups) — or the
    reason it cannot be answered (allowance used up, lookups suspended)."""
    if holder_region is None:
        return None
    if scope.in_scope(holder_region, region_scope):
        return in_region_message
    try:
        lookups.conflict(number_kind, door=door)
    except lookups.LookupRefused as error:
        return error.message
    return registered_elsewhere(number_kind, number)


def check_birth_date(birth_date) -> list[str]:
    if birth_date and birth_date > datetime.date.today():
        return [gettext("Birth date may not be in the future.")]
    return []


def validate_member_identity(
    nik,
    birth_date,
    sex,
    member_id: int | None = None,
    active: bool = True,
    region_scope: str | None = None,
) -> Check:
    """Everything the register asks of a member's NIK, including uniqueness among the living
    (`region_scope`: the user's, by default)."""
    check = check_nik(nik, birth_date, sex)
    check.errors.extend(check_birth_date(birth_date))
    if check.ok and active:
        message = conflict_message(
            "nik",
            check.value,
            nik_holder_region(check.value, member_id),
            gettext(
                "NIK %(nik)s already belongs to another living person in the register.",
                nik=check.value,
            ),
            region_scope,
        )
        if message:
            check.errors.append(message)
    return check


def validate_family_number(
    kk_number, family_id: int | None = None, region_scope: str | None = None
) -> Check:
    check = check_kk(kk_number)
    if check.ok:
        message = conflict_message(
            "kk_number",
            check.value,
            kk_holder_region(check.value, family_id),
            gettext("KK number %(kk)s is already registered for another family.", kk=check.value),
            region_scope,
        )
        if message:
            check.errors.append(message)
    return check
