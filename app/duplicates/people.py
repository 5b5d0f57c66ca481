"""The members the duplicate rules read: living ones (ACTIVE or PROPOSED, in a living household)
with what the comparison needs of them and of their household and family card."""

from __future__ import annotations

import sqlalchemy as sa

from app.duplicates import scoring
from models import Family, Household, Member
from models.enums import HouseholdStatus, MemberStatus

LIVING_MEMBERS = (MemberStatus.ACTIVE, MemberStatus.PROPOSED)
#: A rejected proposed household's people still hold their NIKs until it is withdrawn.
LIVING_HOUSEHOLDS = (HouseholdStatus.ACTIVE, HouseholdStatus.PROPOSED, HouseholdStatus.REJECTED)


def in_region(column, region: str):
    return column.startswith(region, autoescape=True) if region else sa.true()


def living_members(region: str):
    """id, NIK, name, birth date, sex, version, village, KK number and address of the region's
    living members."""
    return (
        sa.select(
            Member.id,
            Member.nik,
            Member.full_name,
            Member.birth_date,
            Member.sex,
            Member.version,
            Member.household_id,
            Household.village_code,
            Household.register_id,
            Household.address,
            Family.kk_number,
        )
        .join(Household, Household.id == Member.household_id)
        .join(Family, Family.id == Member.family_id)
        .where(
            Member.status.in_(LIVING_MEMBERS),
            Household.status.in_(LIVING_HOUSEHOLDS),
            in_region(Household.village_code, region),
        )
    )


def person(row) -> scoring.Person:
    return scoring.Person(
        id=row.id,
        nik=row.nik,
        full_name=row.full_name,
        birth_date=row.birth_date,
        sex=str(row.sex.name),
        household_id=row.household_id,
        village_code=row.village_code,
        kk_number=row.kk_number,
        address=row.address,
    )
