"""The navigation bar's quick search: one box that takes a NIK, a KK number, a register ID or
part of a name and finds the member or household in the user's region — a clerk's first step,
without opening a list and building a filter.

What the box holds decides the search (`classify`):
- 16 digits: a member's NIK, else a family's KK number (the two cannot be told apart);
- 14 digits: a household's register ID (app.codes.REGISTER_ID);
- at least MIN_LETTERS letters: part of a member's name, case-insensitive, paged;
- anything else: nothing is searched (`kind` None), the door says what the box takes.

Everything is looked up through app.register.queries, so a record outside the user's region
is answered as absent, exactly as one that exists nowhere. An exact look-up answers "does this
number exist in my region?": each is audited (`identity_search`, door `quick_search`, never the
number itself), and a masked viewer's NIK and KK look-ups count against their daily quota and
the guessing detector (app.security.lookups), as the lists' NIK and KK filters do; the door
adds a per-user rate limit. A name search reads no more than the lists' member-name filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.codes import REGISTER_ID
from app.errors import NotFound
from app.extensions import db
from app.register.identity import LIVING, SIXTEEN_DIGITS, clean_number
from app.register.queries import find_household, households_in_scope, members_in_scope
from app.security import lookups, privacy
from app.security.scope import scope_of
from models import Family, Household, Member

#: The audit trail's name of this door.
DOOR = "quick_search"
#: Fewer letters than this would match half the register.
MIN_LETTERS = 3
#: Longer than any name the register holds (Member.full_name).
MAX_LENGTH = 100
#: The number kinds whose look-ups masked viewers are counted for (app.security.lookups).
COUNTED_KINDS = ("nik", "kk_number")


@dataclass(frozen=True)
class Hit:
    """A household found, and the member in it the search matched (None for a KK number or a
    register ID: the household itself was asked for)."""

    household: Household
    member: Member | None = None


@dataclass
class Found:
    kind: str | None  # "number", "register_id", "name" or None (nothing searched)
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 0
    page_size: int = 0

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


def classify(text: str | None) -> tuple[str | None, str]:
    """(kind, value to search) of what was typed in the box."""
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_LENGTH:
        return None, text
    number = clean_number(text)
    if SIXTEEN_DIGITS.fullmatch(number):
        return "number", number
    if REGISTER_ID.fullmatch(number):
        return "register_id", number
    if sum(character.isalpha() for character in text) >= MIN_LETTERS:
        return "name", text
    return None, text


def search(user, text: str | None, page: int = 0, page_size: int = 50) -> Found:
    """What the quick search finds for `text` in `user`'s region. Raises
    app.security.lookups.LookupRefused when a masked viewer's look-ups are used up or
    suspended (the door says so)."""
    kind, value = classify(text)
    scope = scope_of(user)
    if kind == "number":
        hits = _exact("nik", value, lambda: _members_with_nik(scope, value))
        if not hits:
            hits = _exact("kk_number", value, lambda: _households_with_kk(scope, value))
        return _found(kind, hits)
    if kind == "register_id":
        return _found(kind, _exact("register_id", value, lambda: _household(user, value)))
    if kind == "name":
        return _by_name(scope, value, max(page, 0), page_size)
    return Found(None)


def _found(kind: str, hits: list[Hit]) -> Found:
    return Found(kind, hits, len(hits))


def member_in_household(household: Household, member_id) -> Member | None:
    """The member `member_id` of `household` (the one a search found, to highlight on the
    household's page); None when it is not one of its members."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return None
    return next((member for member in household.members if member.id == member_id), None)


def matching_members(household_ids, nik: str | None = None, name: str | None = None) -> dict:
    """{household id: [its members with this NIK and/or whose name contains `name`]} for the
    households a list shows when it is searched by a member's NIK or name: the rows then
    name the member found, not only the head. In the signed-in user's region, like the list."""
    conditions = []
    if nik:
        conditions.append(Member.nik == clean_number(nik))
    if name and name.strip():
        conditions.append(Member.full_name.icontains(name.strip(), autoescape=True))
    if not conditions or not household_ids:
        return {}
    found: dict[int, list[Member]] = {}
    for member in db.session.scalars(
        members_in_scope()
        .where(Member.household_id.in_(list(household_ids)), *conditions)
        .order_by(Member.id)
    ):
        found.setdefault(member.household_id, []).append(member)
    return found


# -- the look-ups -------------------------------------------------------------------------------
def _exact(number_kind: str, value: str, look) -> list[Hit]:
    """One exact look-up, bounded and audited (app.security.lookups)."""
    answer: list[Hit] = []

    def found(_values) -> int:
        answer.extend(look())
        return 1 if answer else 0

    if number_kind in COUNTED_KINDS and not privacy.sees_full_nik():
        lookups.search(number_kind, [value], found, DOOR)
    else:
        hits = found([value])
        lookups.settle(
            "search",
            1,
            0,
            action="identity_search",
            details={"number": number_kind, "door": DOOR, "count": 1, "hits": hits},
        )
    return answer


def _members_with_nik(scope: str, nik: str) -> list[Hit]:
    # A NIK stays on the rows of people who died or moved: the living one first.
    members = db.session.scalars(
        members_in_scope(scope)
        .where(Member.nik == nik)
        .options(selectinload(Member.household))
        .order_by(Member.status.in_(LIVING).desc(), Member.id)
    ).all()
    return [Hit(member.household, member) for member in members]


def _households_with_kk(scope: str, kk_number: str) -> list[Hit]:
    households = db.session.scalars(
        households_in_scope(scope).where(Household.families.any(Family.kk_number == kk_number))
    ).all()
    return [Hit(household) for household in households]


def _household(user, register_id: str) -> list[Hit]:
    try:
        return [Hit(find_household(user, register_id=register_id))]
    except NotFound:
        return []


def _by_name(scope: str, text: str, page: int, page_size: int) -> Found:
    matching = members_in_scope(scope).where(Member.full_name.icontains(text, autoescape=True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    members = db.session.scalars(
        matching.options(selectinload(Member.household))
        .order_by(Member.full_name, Member.id)
        .offset(page * page_size)
        .limit(page_size)
    ).all()
    hits = [Hit(member.household, member) for member in members]
    return Found("name", hits, total, page, page_size)
