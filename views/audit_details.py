"""An audit entry's before and after values as a person reads them: labelled in the page's
language with the labels of the entity's own screens (views.labels), stored codes as their
labels, dates in Indonesian and times in WIB — and the recorded JSON one click away, for
auditors who need the keys and codes as stored."""

import datetime
import enum
import functools
import json
import re

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from app import formatting
from app.audit.events import entity_name
from models import AuditEntry, enums
from models.duplicates import DuplicateCandidate
from models.ranking import Deliberation
from models.types import Choice
from views import labels
from views.proposals import LABELS as PROPOSAL_LABELS
from views.users import RegionUserDBModelView

#: The keys of details written by actions other than a change of a record (app.audit callers).
DETAIL_LABELS = {
    "period": lazy_gettext("Period"),
    "period_id": lazy_gettext("Period"),
    "applied_period_id": lazy_gettext("Applied in period"),
    "village_code": lazy_gettext("Village"),
    "held_on": lazy_gettext("Held on"),
    "participants": lazy_gettext("Participants"),
    "code": lazy_gettext("Code"),
    "list": lazy_gettext("List"),
    "format": lazy_gettext("Format"),
    "filters": lazy_gettext("Filters"),
    "rows": lazy_gettext("Rows"),
    "register_id": lazy_gettext("Register ID"),
    "count": lazy_gettext("Count"),
    "registered": lazy_gettext("Registered"),
    "malformed": lazy_gettext("Malformed"),
    "file": lazy_gettext("File"),
    "size": lazy_gettext("Size (bytes)"),
    "stored": lazy_gettext("Kept copy"),
    "counts": lazy_gettext("Counts"),
    "errors": lazy_gettext("Errors"),
    "status": lazy_gettext("Status"),
    "households": lazy_gettext("Households"),
    "members": lazy_gettext("Household members"),
    "note": lazy_gettext("Note"),
    "uuid": lazy_gettext("Key ID"),
    "name": lazy_gettext("Name"),
    "expires_on": lazy_gettext("Expires on"),
    "reason": lazy_gettext("Reason"),
    "checked": lazy_gettext("Checked"),
    "not_registered": lazy_gettext("Not registered"),
    "window_hours": lazy_gettext("Window (hours)"),
    "kind": lazy_gettext("Kind"),
    "number": lazy_gettext("Number"),
    "door": lazy_gettext("Door"),
    "hits": lazy_gettext("Found"),
    "listed": lazy_gettext("Listed"),
    "locked_until": lazy_gettext("Locked until"),
    "username": lazy_gettext("User"),
    "closed_at": lazy_gettext("Closed at"),
    "early": lazy_gettext("Early close"),
    "scheduled": lazy_gettext("By the schedule"),
    "region": lazy_gettext("Region"),
    "seconds": lazy_gettext("Seconds"),
    "id": lazy_gettext("ID"),
    "version": lazy_gettext("Version"),
    "region_code": lazy_gettext("Region"),
    "household_id": lazy_gettext("Household"),
    "family_id": lazy_gettext("Family (KK)"),
    "member_id": lazy_gettext("Household member"),
    "program_id": lazy_gettext("Program"),
}
#: The column labels of each recorded entity, as its own screens show them (views.labels).
FIELD_LABELS = {
    "household": labels.HOUSEHOLD,
    "member": labels.MEMBER,
    "family": labels.FAMILY,
    "membership": labels.MEMBERSHIP,
    "program": labels.PROGRAM,
    "period": labels.PERIOD,
    "proposal": PROPOSAL_LABELS,
    "user": RegionUserDBModelView.label_columns,
}
#: Words the trail records as they are: reasons of refused sign-ins and lookups, number kinds.
NUMBER_KINDS = {
    "nik": lazy_gettext("NIK"),
    "kk_number": lazy_gettext("KK number"),
    "register_id": lazy_gettext("Register ID"),
    "any": lazy_gettext("any number"),
}
DETAIL_VALUES = {
    "reason": {
        "unknown user": lazy_gettext("unknown user"),
        "inactive": lazy_gettext("inactive account"),
        "no region": lazy_gettext("no region scope"),
        "wrong current password": lazy_gettext("wrong current password"),
        "unknown, revoked or expired api key": lazy_gettext("unknown, revoked or expired API key"),
        "suspended": lazy_gettext("lookups suspended"),
        "quota": lazy_gettext("quota used up"),
    },
    "number": NUMBER_KINDS,
    "kind": NUMBER_KINDS,
}
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


@functools.cache
def _models() -> dict:
    """Entity name of the trail → its model: each recorded entity's enumeration columns."""
    found = {entity_name(mapper.class_): mapper.class_ for mapper in AuditEntry.registry.mappers}
    return {**found, "duplicate": DuplicateCandidate, "deliberation": Deliberation}


@functools.cache
def _unique_choices() -> dict:
    """Member name → member, for the names only one enumeration of the register uses."""
    seen: dict[str, list] = {}
    for choice in vars(enums).values():
        if isinstance(choice, type) and issubclass(choice, Choice) and choice is not Choice:
            for member in choice:
                seen.setdefault(member.name, []).append(member)
    return {name: members[0] for name, members in seen.items() if len(members) == 1}


def _choice(entity: str, key: str, value: str) -> enum.Enum | None:
    column = getattr(getattr(_models().get(entity), "__table__", None), "c", {}).get(key)
    choice = getattr(getattr(column, "type", None), "enum_class", None)
    if choice is not None and value in choice.__members__:
        return choice[value]
    return _unique_choices().get(value)


def _key_label(entity: str, key: str):
    """The label of a recorded key; the column labels the views declared (lazy), not the
    English names Flask-AppBuilder adds to the same dictionaries for the other columns."""
    fields = {
        name: label
        for name, label in FIELD_LABELS.get(entity, {}).items()
        if isinstance(label, LazyString)
    }
    base = key.removesuffix("_id") if key.endswith("_id") else None
    return fields.get(key) or DETAIL_LABELS.get(key) or (base and fields.get(base)) or key


def _detail_value(entity: str, key: str, value) -> Markup:
    if isinstance(value, dict):
        return _definitions(entity, value)
    if isinstance(value, list):
        return Markup(", ").join(_detail_value(entity, key, item) for item in value)
    if isinstance(value, str):
        member = _choice(entity, key, value)
        if member is not None:
            return Markup("{}").format(member.label)
        words = DETAIL_VALUES.get(key, {})
        if value in words:
            return Markup("{}").format(words[value])
        if _ISO_MOMENT.fullmatch(value):
            return _moment_shown(value)
    return Markup("{}").format(formatting.value(value))


def _moment_shown(value: str) -> Markup:
    """An ISO date as "14 Maret 1971", a recorded (UTC) time in WIB; the ISO text kept."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:  # shaped like a date but none (2026-13-45): shown as recorded
        return Markup("{}").format(value)
    shown = formatting.date(moment.date() if len(value) == 10 else moment)
    return Markup('<time datetime="{}">{}</time>').format(value, shown)


def _definitions(entity: str, values: dict) -> Markup:
    labelled = sorted((str(_key_label(entity, key)), key) for key in values)
    rows = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(label, _detail_value(entity, key, values[key]))
        for label, key in labelled
    )
    return Markup('<dl class="audit-values">{}</dl>').format(rows)


def details(entity: str, value) -> Markup:
    """Before/after values as a list of labelled values in the page's language, with the
    recorded JSON itself (English keys, stored codes) one click away for auditors."""
    if value is None:
        return Markup("–")
    if not isinstance(value, dict):
        return _detail_value(entity, "", value)
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    # Bootstrap 3 draws a summary as a block, without the marker that says it opens.
    toggle = '<summary style="display: list-item; cursor: pointer">JSON</summary>'
    return Markup(
        '{}<details class="audit-json">' + toggle + '<pre lang="en">{}</pre></details>'
    ).format(_definitions(entity, value), text)
