"""NIK status check for program systems: for each NIK, whether the person is in the register,
their household's welfare decile, the programs they receive and the last period whose
determined register (snapshot) holds their household — and nothing else: no names, addresses,
family numbers or dates of birth.

- registered: the NIK belongs to an ACTIVE member of an ACTIVE household.
- programs: codes of receiving (ACTIVE) memberships of the person, of their family or of their
  household (family- and household-level programs reach every member).
- determined_period: the latest CLOSED period whose snapshot contains the household; null when
  the household has not been through a period close yet.
- A malformed NIK (not 16 digits, unknown province, impossible date …) is reported on its own
  item with the reasons; the others are still answered.

Region scope, decided: the check answers from the caller's region only, like every other door
(DESIGN §4). A person registered outside it is reported as not registered, exactly as an
unknown NIK, so the answer reveals nothing about other regions. A program system that checks
the whole country uses a user of a national scope.

One audit entry per request records the count asked, how many were registered and how many
were malformed (never the NIKs themselves).

Bounded (app.security.lookups): each distinct well-formed NIK counts against the caller's
NIK_CHECK_DAILY_QUOTA, before it is answered; a masked caller (app.security.privacy) whose answers
look like guessing is suspended and the request that showed it is not answered.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import audit
from app.errors import ValidationError
from app.extensions import db
from app.register import identity, reference
from app.security import lookups, privacy
from app.security.scope import current_scope, scope_clause
from models import Household, Member, Program, ProgramMembership
from models.enums import HouseholdStatus, MembershipStatus, MemberStatus

DEFAULT_LIMIT = 1000
#: An item longer than this is not echoed back in full.
ECHO_LENGTH = 32


def largest_request() -> int:
    return int(current_app.config.get("NIK_CHECK_MAX", DEFAULT_LIMIT))


def check(niks: list) -> list[dict]:
    """One answer per item, in the order asked."""
    limit = largest_request()
    if not isinstance(niks, list) or not niks:
        raise ValidationError(gettext("Send a list of NIKs."), "niks")
    if len(niks) > limit:
        raise ValidationError(
            gettext(
                "At most %(limit)d NIKs per request; this one has %(count)d.",
                limit=limit,
                count=len(niks),
            ),
            "niks",
        )
    answers, valid = [], {}
    for index, value in enumerate(niks):
        if not isinstance(value, str):
            answers.append(
                {
                    "nik": None,
                    "valid": False,
                    "errors": [gettext("A NIK is sent as text of 16 digits.")],
                }
            )
            continue
        result = identity.check_nik(value[:64])
        echo = value[:ECHO_LENGTH]
        if result.errors or len(value) > 64:
            answers.append(
                {
                    "nik": echo,
                    "valid": False,
                    "errors": result.errors or [gettext("NIK must be exactly 16 digits.")],
                }
            )
            continue
        answers.append(
            {
                "nik": result.value,
                "valid": True,
                "registered": False,
                "welfare_decile": None,
                "programs": [],
                "determined_period": None,
            }
        )
        valid.setdefault(result.value, []).append(index)
    lookups.reserve("nik_check", len(valid))
    registered = _fill(answers, valid)
    lookups.settle(
        "nik_check", len(valid), len(valid) - registered, watched=not privacy.sees_full_nik()
    )
    _audit(answers)
    return answers


def _fill(answers: list[dict], valid: dict[str, list[int]]) -> int:
    """Fill in the answers of registered NIKs; how many of the distinct NIKs are."""
    if not valid:
        return 0
    people = db.session.execute(
        sa.select(Member.nik, Member.id, Member.family_id, Household.id, Household.welfare_decile)
        .join(Household, Household.id == Member.household_id)
        .where(
            Member.nik.in_(list(valid)),
            Member.status == MemberStatus.ACTIVE,
            Household.status == HouseholdStatus.ACTIVE,
            scope_clause(Household.village_code),
        )
    ).all()
    if not people:
        return 0
    member_ids = {member_id for _nik, member_id, _family, _household, _decile in people}
    family_ids = {family for _nik, _member, family, _household, _decile in people}
    household_ids = {household for _nik, _member, _family, household, _decile in people}
    programs = _programs(member_ids, family_ids, household_ids)
    periods = reference.determined_period_codes(household_ids)
    for nik, member_id, family_id, household_id, decile in people:
        codes = sorted(
            programs.get(("member", member_id), set())
            | programs.get(("family", family_id), set())
            | programs.get(("household", household_id), set())
        )
        for index in valid[nik]:
            answers[index].update(
                registered=True,
                welfare_decile=decile,
                programs=codes,
                determined_period=periods.get(household_id),
            )
    return len({nik for nik, _member, _family, _household, _decile in people})


def _programs(member_ids, family_ids, household_ids) -> dict[tuple, set[str]]:
    rows = db.session.execute(
        sa.select(
            ProgramMembership.member_id,
            ProgramMembership.family_id,
            ProgramMembership.household_id,
            Program.code,
        )
        .join(Program, Program.id == ProgramMembership.program_id)
        .where(
            ProgramMembership.status == MembershipStatus.ACTIVE,
            ProgramMembership.household_id.in_(household_ids),
        )
    )
    result: dict[tuple, set[str]] = {}
    for member_id, family_id, household_id, code in rows:
        if member_id is not None:
            key = ("member", member_id) if member_id in member_ids else None
        elif family_id is not None:
            key = ("family", family_id) if family_id in family_ids else None
        else:
            key = ("household", household_id)
        if key:
            result.setdefault(key, set()).add(code)
    return result


def _audit(answers: list[dict]) -> None:
    audit.record(
        "nik_status_check",
        "member",
        region_code=current_scope() or None,
        after={
            "count": len(answers),
            "registered": sum(1 for answer in answers if answer.get("registered")),
            "malformed": sum(1 for answer in answers if not answer["valid"]),
        },
    )
    db.session.commit()
