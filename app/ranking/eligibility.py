"""Who may receive each program: a rule over the register, kept as JSON on the program, checked
when it is saved and applied set-based by each close (period_snapshot_eligibility).

A rule, in the small declarative form a program officer can read:

    {"deciles": [1, 4],
     "members_any": [{"age": [0, 6]},
                     {"age": [6, 21], "school_attendance": ["ATTENDING"]},
                     {"age": [70, null]},
                     {"disability": "ANY"}]}

- `deciles`: the household's decile that counts (the close's, after deliberation), inclusive;
- `members_any` (optional): the household has at least one active member matching one of the
  conditions; within a condition every field must hold. Fields: `age` [from, to] in whole
  years at the period's end (either end may be null), and lists of code names for `sex`,
  `relation_to_head`, `education`, `school_attendance`, `employment_status`, `occupation`,
  `disability` and `chronic_illness` — the last two also "ANY" (any but NONE).
A program without a rule declares nobody eligible and is left out of the targeting errors.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import ValidationError
from app.extensions import db
from app.statistics import years_before
from models import Member, PeriodSnapshot, PeriodSnapshotEligibility, Program
from models.enums import (
    ChronicIllness,
    Disability,
    Education,
    EmploymentStatus,
    MemberStatus,
    Occupation,
    Relationship,
    SchoolAttendance,
    Sex,
)

CHOICE_FIELDS = {
    "sex": Sex,
    "relation_to_head": Relationship,
    "education": Education,
    "school_attendance": SchoolAttendance,
    "employment_status": EmploymentStatus,
    "occupation": Occupation,
    "disability": Disability,
    "chronic_illness": ChronicIllness,
}
#: Fields whose "ANY" means any value but NONE.
ANY_BUT_NONE = {"disability", "chronic_illness"}
RULE_KEYS = {"deciles", "members_any"}

_PKH_MEMBERS = [
    {"age": [0, 6]},
    {"age": [6, 21], "school_attendance": ["ATTENDING"]},
    {"age": [70, None]},
    {"disability": "ANY"},
]
#: The shipped rules, after the programs' published targeting (PKH desil 1–4 with a child,
#: pupil, elderly or disabled member; Sembako and PBI JK desil 1–5); a ministry edits them.
DEFAULT_RULES = {
    "PBI-JK": {"deciles": [1, 5]},
    "PKH": {"deciles": [1, 4], "members_any": _PKH_MEMBERS},
    "BPNT": {"deciles": [1, 5]},
    "PIP": {
        "deciles": [1, 4],
        "members_any": [{"age": [6, 21], "school_attendance": ["ATTENDING"]}],
    },
    "RUTILAHU": {"deciles": [1, 3]},
}


@dataclass(frozen=True)
class Condition:
    ages: tuple[int | None, int | None] | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field → code names


@dataclass(frozen=True)
class Rule:
    deciles: tuple[int, int]
    members_any: tuple[Condition, ...] = ()


def _refuse(message: str):
    raise ValidationError(message, "eligibility")


def _whole(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _refuse(
            gettext(
                "%(what)s must be a whole number from %(low)s to %(high)s.",
                what=what,
                low=low,
                high=high,
            )
        )
    return value


def _pair(value, what: str, low: int, high: int, open_ends: bool) -> tuple:
    if not isinstance(value, list) or len(value) != 2:
        _refuse(gettext("%(what)s is written [from, to].", what=what))
    ends = [None if (open_ends and end is None) else _whole(end, what, low, high) for end in value]
    if ends == [None, None] or (None not in ends and ends[0] > ends[1]):
        _refuse(gettext("%(what)s: the start comes after the end.", what=what))
    return tuple(ends)


def _condition(data) -> Condition:
    if not isinstance(data, dict) or not data:
        _refuse(gettext('Each member condition is an object such as {"age": [6, 21]}.'))
    unknown = sorted(set(data) - set(CHOICE_FIELDS) - {"age"})
    if unknown:
        _refuse(
            gettext(
                "The rule names unknown fields: %(names)s. Known: %(known)s.",
                names=", ".join(unknown),
                known=", ".join(["age", *CHOICE_FIELDS]),
            )
        )
    ages = _pair(data["age"], gettext("Age"), 0, 150, open_ends=True) if "age" in data else None
    choices = {}
    for name, enum in CHOICE_FIELDS.items():
        if name not in data:
            continue
        value = data[name]
        if value == "ANY" and name in ANY_BUT_NONE:
            choices[name] = tuple(code for code in enum.__members__ if code != "NONE")
            continue
        if not isinstance(value, list) or not value:
            _refuse(
                gettext(
                    '%(field)s lists code names, e.g. ["%(code)s"].',
                    field=name,
                    code=next(iter(enum.__members__)),
                )
            )
        wrong = [str(code) for code in value if code not in enum.__members__]
        if wrong:
            _refuse(
                gettext(
                    "%(field)s has no code %(codes)s. Known: %(known)s.",
                    field=name,
                    codes=", ".join(wrong),
                    known=", ".join(enum.__members__),
                )
            )
        choices[name] = tuple(value)
    return Condition(ages, choices)


def parse(text_or_data) -> Rule | None:
    """A Rule from its JSON (None for an empty rule), or ValidationError naming the fault."""
    if (
        text_or_data is None
        or text_or_data == {}
        or (isinstance(text_or_data, str) and not text_or_data.strip())
    ):
        return None
    data = text_or_data
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            _refuse(gettext("The rule is not valid JSON: %(error)s", error=error))
    if not isinstance(data, dict):
        _refuse(
            gettext('The rule is one JSON object with "deciles" and, if needed, "members_any".')
        )
    unknown = sorted(set(data) - RULE_KEYS)
    if unknown:
        _refuse(
            gettext(
                "The rule names unknown fields: %(names)s. Known: %(known)s.",
                names=", ".join(unknown),
                known=", ".join(sorted(RULE_KEYS)),
            )
        )
    if "deciles" not in data:
        _refuse(gettext('The rule needs "deciles": [from, to], e.g. [1, 4].'))
    deciles = _pair(data["deciles"], gettext("Deciles"), 1, 10, open_ends=False)
    members = data.get("members_any", [])
    if not isinstance(members, list):
        _refuse(gettext('"members_any" is a list of member conditions.'))
    return Rule(deciles, tuple(_condition(one) for one in members))


def normalised(text: str | None) -> str | None:
    """The rule as stored: checked and written compactly (None when empty)."""
    if parse(text) is None:
        return None
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(", ", ": "))


def describe(rule: Rule | None) -> str:
    """The rule in words, for the program list and the targeting page."""
    if rule is None:
        return gettext("No rule: nobody is counted as eligible.")
    low, high = rule.deciles
    text = gettext("Deciles %(low)s–%(high)s", low=low, high=high)
    if rule.members_any:
        parts = [_describe_condition(one) for one in rule.members_any]
        text += "; " + gettext(
            "with a member: %(conditions)s", conditions=gettext(" or ").join(parts)
        )
    return text


def _describe_condition(condition: Condition) -> str:
    words = []
    if condition.ages:
        low, high = condition.ages
        if high is None:
            words.append(gettext("aged %(num)s or more", num=low))
        elif low is None:
            words.append(gettext("aged at most %(num)s", num=high))
        else:
            words.append(gettext("aged %(low)s–%(high)s", low=low, high=high))
    for name, values in condition.choices.items():
        enum = CHOICE_FIELDS[name]
        labels = [str(enum[code].label) for code in values]
        words.append(", ".join(labels) if len(labels) < 4 else gettext("any %(what)s", what=name))
    return " ".join(words)


# --- the close -----------------------------------------------------------------------------------


def _member_clause(condition: Condition, on: datetime.date):
    clauses = [Member.status == MemberStatus.ACTIVE]
    if condition.ages:
        low, high = condition.ages
        if low is not None:  # at least `low` years old on `on`
            clauses.append(Member.birth_date <= years_before(on, low))
        if high is not None:  # not yet high + 1
            clauses.append(Member.birth_date > years_before(on, high + 1))
    for name, values in condition.choices.items():
        enum = CHOICE_FIELDS[name]
        clauses.append(getattr(Member, name).in_([enum[code] for code in values]))
    return sa.and_(*clauses)


def eligible_households(rule: Rule, period_id: int, on: datetime.date):
    """SELECT of the snapshot households of `period_id` the rule makes eligible."""
    low, high = rule.deciles
    query = sa.select(PeriodSnapshot.household_id).where(
        PeriodSnapshot.period_id == period_id,
        PeriodSnapshot.welfare_decile.between(low, high),
    )
    if rule.members_any:
        query = query.where(
            sa.exists().where(
                Member.household_id == PeriodSnapshot.household_id,
                sa.or_(*[_member_clause(one, on) for one in rule.members_any]),
            )
        )
    return query


def rules_for(connection) -> tuple[tuple[int, str, Rule], ...]:
    """The programs' rules as the close reads them, on its own connection. A stored rule was
    checked when saved; one that no longer parses is skipped rather than failing the close."""
    rules = []
    for program_id, code, text in connection.execute(
        sa.select(Program.id, Program.code, Program.eligibility)
        .where(Program.eligibility.is_not(None))
        .order_by(Program.code)
    ).all():
        try:
            rule = parse(text)
        except ValidationError:
            continue
        if rule is not None:
            rules.append((program_id, code, rule))
    return tuple(rules)


def close_statements(period_id: int, end_date: datetime.date, rules) -> list[tuple[str, object]]:
    """The close's eligibility statements: one INSERT … SELECT per program with a rule, ages
    taken at the period's end, after the snapshot (with its deciles) is written."""
    statements = []
    for program_id, code, rule in rules:
        chosen = eligible_households(rule, period_id, end_date).subquery("eligible")
        statement = sa.insert(PeriodSnapshotEligibility).from_select(
            ["period_id", "household_id", "program_id"],
            sa.select(
                sa.literal(period_id, sa.Integer),
                chosen.c.household_id,
                sa.literal(program_id, sa.Integer),
            ),
        )
        statements.append(
            (f"eligible for {code}", lambda connection, s=statement: connection.execute(s))
        )
    return statements


def ensure_default_rules() -> None:
    """The shipped rule for each known program that has none (init, demo)."""
    for program in db.session.scalars(sa.select(Program).where(Program.eligibility.is_(None))):
        rule = DEFAULT_RULES.get(program.code)
        if rule is not None:
            program.eligibility = json.dumps(rule, separators=(", ", ": "))
    db.session.flush()
