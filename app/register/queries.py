"""Scoped look-ups of the register, written once: a household or member only when the region
scope covers it, as if absent otherwise. The doors (forms, API, reports, proposals) call these
instead of writing the scope condition again.

Two contracts, one query each:
- `household_in_scope(household_id)`: by id, in the signed-in user's scope (or `scope`); None
  when absent or outside (a door answers 404 or shows nothing);
- `find_household(user, household_id=None, register_id=None)` and
  `find_member(user, member_id=None, nik=None)`: by id or by the number a clerk types, in
  `user`'s region (whoever is signed in: jobs act for the user who asked); NotFound, with a
  message for the form field, when absent or outside.
"""

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import NotFound
from app.extensions import db
from app.register.identity import clean_number
from app.security import scope as region_scope
from models import Household, Member
from models.enums import MemberStatus


def households_in_scope(scope: str | None = None):
    """SELECT of the households under `scope` (default: the signed-in user's)."""
    return sa.select(Household).where(region_scope.scope_clause(Household.village_code, scope))


def members_in_scope(scope: str | None = None):
    """SELECT of the members of the households under `scope` (default: the signed-in user's)."""
    return (
        sa.select(Member)
        .join(Household, Household.id == Member.household_id)
        .where(region_scope.scope_clause(Household.village_code, scope))
    )


def _by_id(query, column, value):
    try:
        return query.where(column == int(value))
    except (TypeError, ValueError):
        return query.where(sa.false())


def household_in_scope(household_id, scope: str | None = None) -> Household | None:
    """The household with this id if the scope (default: the signed-in user's) covers it;
    None otherwise (as if absent)."""
    try:
        household_id = int(household_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(households_in_scope(scope).where(Household.id == household_id))


def find_household(user, household_id=None, register_id: str | None = None) -> Household:
    """The household with this register ID (or else this id) in `user`'s region; NotFound
    otherwise."""
    query = households_in_scope(region_scope.scope_of(user))
    if register_id is not None:
        query = query.where(Household.register_id == (register_id or "").strip())
    else:
        query = _by_id(query, Household.id, household_id)
    household = db.session.scalar(query)
    if household is None:
        raise NotFound(gettext("No household with this register ID in your region."), "register_id")
    return household


def find_member(user, member_id=None, nik: str | None = None) -> Member:
    """The active member with this NIK (or else the member with this id) in `user`'s region;
    NotFound otherwise."""
    query = members_in_scope(region_scope.scope_of(user))
    if nik is not None:
        query = query.where(Member.nik == clean_number(nik), Member.status == MemberStatus.ACTIVE)
    else:
        query = _by_id(query, Member.id, member_id)
    member = db.session.scalar(query.limit(1))
    if member is None:
        raise NotFound(gettext("No active member with this NIK in your region."), "nik")
    return member
