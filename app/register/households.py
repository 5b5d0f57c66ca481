"""Households, families and members: the rules every door (form, API, import, CLI) calls."""

import datetime
import re
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from app import codes
from app.duplicates import check as duplicates
from app.errors import DomainError, ValidationError
from app.extensions import db
from app.register import identity, regions
from app.register.queries import household_in_scope  # noqa: F401  (its doors call it here)
from app.security import scope
from models import Family, Household, Member
from models.enums import MemberStatus, Relationship

#: RT and RW numbers: ASCII digits only (str.isdigit also takes "١٢" and "²³").
ASCII_DIGITS = re.compile(r"[0-9]{1,3}")
MEMBER_FIELDS = (
    "full_name",
    "relation_to_head",
    "sex",
    "birth_place",
    "birth_date",
    "marital_status",
    "education",
    "school_attendance",
    "occupation",
    "employment_status",
    "disability",
    "chronic_illness",
    "status",
)


@dataclass
class Problems:
    """Errors (by field) that block a save, and warnings the clerk should see."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, field_name: str, message: str) -> None:
        self.errors.append((field_name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidRecord(self)


class InvalidRecord(ValidationError):
    def __init__(self, problems: Problems):
        super().__init__(" ".join(message for _, message in problems.errors), problems.errors[0][0])
        self.problems = problems


def new_register_id(village_code: str) -> str:
    """A public register id: the 4-digit regency code and 10 random digits."""
    return f"{codes.digits(codes.regency_of(village_code))}{secrets.randbelow(10**10):010d}"


def check_household(data: dict, problems: Problems, region_scope: str | None = None) -> None:
    """Location and housing fields of a household; its village inside `region_scope` (default:
    the signed-in user's)."""
    try:
        village = regions.get_village(data.get("village_code"))
        scope.check_in_scope(village.code, scope=region_scope)
    except DomainError as error:
        problems.error("village_code", error.message)
    area = data.get("floor_area_m2")
    if area is not None and int(area) <= 0:
        problems.error("floor_area_m2", gettext("Floor area must be more than 0 m²."))
    for name in ("rt", "rw"):
        value = (data.get(name) or "").strip()
        if value and not ASCII_DIGITS.fullmatch(value):
            problems.error(name, gettext("RT and RW are numbers of at most 3 digits."))
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if latitude is not None and not -11 <= float(latitude) <= 6:
        problems.error("latitude", gettext("Latitude lies outside Indonesia."))
    if longitude is not None and not 94 <= float(longitude) <= 142:
        problems.error("longitude", gettext("Longitude lies outside Indonesia."))


def check_member(
    data: dict,
    problems: Problems,
    member_id: int | None = None,
    household_id: int | None = None,
    prefix: str = "",
    home: dict | None = None,
) -> str:
    """A member's identity and fields; returns the cleaned NIK. With `home` (the household's
    village_code and address, the member's kk_number), a likely duplicate is a warning."""
    if not (data.get("full_name") or "").strip():
        problems.error(prefix + "full_name", gettext("Full name is required."))
    birth_date = data.get("birth_date")
    if not isinstance(birth_date, datetime.date):
        problems.error(prefix + "birth_date", gettext("Birth date is required."))
        birth_date = None
    active = data.get("status", MemberStatus.ACTIVE) in identity.LIVING
    check = identity.validate_member_identity(
        data.get("nik"), birth_date, data.get("sex"), member_id=member_id, active=active
    )
    for message in check.errors:
        problems.error(prefix + "nik", message)
    problems.warnings.extend(check.warnings)
    if home and not check.errors and birth_date and active:
        problems.warnings.extend(
            duplicates.warnings_for(
                check.value,
                data["full_name"].strip(),
                birth_date,
                data.get("sex"),
                home.get("village_code"),
                member_id=member_id,
                kk_number=identity.clean_number(home.get("kk_number")) or None,
                address=home.get("address"),
            )
        )
    # One head per household whatever the status (uq_member_household_head): a member made
    # head while another one is, even as deceased or moved away, is refused here.
    if household_id and data.get("relation_to_head") == Relationship.HEAD:
        other_head = db.session.scalar(
            sa.select(Member.id).where(
                Member.household_id == household_id,
                Member.relation_to_head == Relationship.HEAD,
                Member.id != (member_id or 0),
            )
        )
        if other_head:
            problems.error(
                prefix + "relation_to_head", gettext("This household already has a head.")
            )
    return check.value


def check_new_household(data: dict, members: list[dict]) -> Problems:
    """A new household with its first members (each with a KK number)."""
    problems = Problems()
    check_household(data, problems)
    heads = [m for m in members if m.get("relation_to_head") == Relationship.HEAD]
    if len(heads) != 1:
        problems.error("relation_to_head", gettext("A household needs exactly one head."))
    seen_niks: set[str] = set()
    known_kk: dict[str, str] = {}
    for index, member in enumerate(members):
        prefix = "head_" if index == 0 else f"members-{index}-"
        home = {**data, "kk_number": member.get("kk_number")}
        nik = check_member(member, problems, prefix=prefix, home=home)
        if nik in seen_niks:
            problems.error(prefix + "nik", gettext("NIK %(nik)s appears twice.", nik=nik))
        seen_niks.add(nik)
        kk = identity.clean_number(member.get("kk_number"))
        if kk not in known_kk:
            kk_check = identity.validate_family_number(kk)
            for message in kk_check.errors:
                problems.error(prefix + "kk_number", message)
            known_kk[kk] = kk
    return problems


def attach_members(household: Household, members: list[dict]) -> None:
    """Create the families and members of a new household on it (saved with it)."""
    if not household.register_id:
        household.register_id = new_register_id(household.village_code)
    families: dict[str, Family] = {}
    for data in members:
        kk = identity.clean_number(data["kk_number"])
        family = families.get(kk)
        if family is None:
            family = families[kk] = Family(kk_number=kk, household=household)
        member = Member(nik=identity.clean_number(data["nik"]), family=family, household=household)
        for name in MEMBER_FIELDS:
            if data.get(name) is not None:
                setattr(member, name, data[name])
        if isinstance(member.full_name, str):
            member.full_name = member.full_name.strip()


def create_household(data: dict, members: list[dict]) -> tuple[Household, list[str]]:
    """Validate and save a household with its members in one transaction."""
    problems = check_new_household(data, members)
    problems.raise_if_any()
    household = Household(**data)
    attach_members(household, members)
    db.session.add(household)
    db.session.commit()
    return household, problems.warnings


def family_for_member(
    household: Household, kk_number, problems: Problems, field_name: str = "kk_number"
) -> Family | None:
    """The member's family by KK number: one of this household's, or a new one for it."""
    check = identity.check_kk(kk_number)
    for message in check.errors:
        problems.error(field_name, message)
    if not check.ok:
        return None
    family = db.session.scalar(sa.select(Family).where(Family.kk_number == check.value))
    if family is None:
        return Family(kk_number=check.value, household=household)
    if family.household_id != household.id:
        # Named only when the other household is in the user's region (app.register.identity).
        problems.error(
            field_name,
            identity.conflict_message(
                "kk_number",
                check.value,
                family.household.village_code,
                gettext("KK number %(kk)s belongs to another household.", kk=check.value),
            ),
        )
        return None
    return family


def check_member_change(
    household: Household,
    data: dict,
    problems: Problems,
    member: Member | None = None,
    kk_number=None,
) -> tuple[str, Family | None]:
    """A member entered into `household`, or `member` changed (`data`: all its fields after
    the change), as every door checks it: the head kept, identity and fields, and the family by
    KK number (a changed member without `kk_number` stays in its family). Returns the cleaned
    NIK and the family; errors go to `problems`, for the caller to raise."""
    if member is not None:
        try:
            check_head_kept(member, data.get("relation_to_head"), data.get("status"))
        except ValidationError as error:
            problems.error(error.field, error.message)
    nik = check_member(
        data,
        problems,
        member_id=member.id if member is not None else None,
        household_id=household.id,
        home={
            "village_code": household.village_code,
            "address": household.address,
            "kk_number": kk_number if kk_number is not None else _kk_of(member),
        },
    )
    if member is not None and kk_number is None:
        return nik, member.family
    return nik, family_for_member(household, kk_number, problems)


def check_head_kept(
    member: Member, new_relation=None, new_status=None, deleting: bool = False
) -> None:
    """The household's head may not stop being its head except by naming another one."""
    if member.relation_to_head != Relationship.HEAD:
        return
    still_head = (
        not deleting
        and new_relation == Relationship.HEAD
        and (new_status in (None, MemberStatus.ACTIVE))
    )
    if not still_head:
        raise ValidationError(
            gettext("A household needs exactly one head: name another head first."),
            "relation_to_head",
        )


def _kk_of(member: Member | None) -> str | None:
    return member.family.kk_number if member is not None and member.family else None
