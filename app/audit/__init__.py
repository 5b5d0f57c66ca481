"""The audit trail: who changed what, when, from where, before and after.

`record` writes one entry in the caller's transaction, so the entry and the change it
describes are committed (or rolled back) together. Changes made through the ORM are recorded
by themselves (app.audit.events); code that writes with bulk Core statements calls `record`."""

import datetime
import decimal
import enum
import uuid

import sqlalchemy as sa
from flask import has_request_context, request

from app.extensions import db
from models import AuditEntry

#: Columns whose values never reach the trail; a change to them shows as MASK → MASK.
SECRET_COLUMNS = frozenset({"password"})
MASK = "********"


def actor() -> tuple[int | None, str | None, str | None]:
    """(user id, username, IP address) of the request, or the system outside one."""
    if not has_request_context():
        return None, "system", None
    from flask import current_app

    try:
        user = current_app.appbuilder.sm.current_user
    except RuntimeError:
        # No one signed in and no verified JWT (e.g. during a login): Flask-JWT-Extended
        # refuses to be asked outside a protected endpoint.
        user = None
    ip_address = request.remote_addr
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None, ip_address
    return user.id, user.username, ip_address


def plain(value):
    """A JSON-ready form of a column value: enumerations by name, dates in ISO 8601."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def masked(column: str, value):
    """The value as the trail keeps it: secrets masked, everything else `plain`."""
    if column in SECRET_COLUMNS:
        return MASK if value else None
    return plain(value)


def entry(
    action: str,
    entity: str,
    entity_id=None,
    region_code: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    username: str | None = None,
    who: tuple | None = None,
) -> dict:
    """The row `record` would write; `who` is a precomputed `actor()`."""
    user_id, current_username, ip_address = who or actor()
    return {
        "at": datetime.datetime.now(),
        "user_id": user_id,
        "username": username or current_username,
        "ip_address": ip_address,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "region_code": region_code,
        "before": before,
        "after": after,
    }


def record(
    action: str,
    entity: str,
    entity_id=None,
    region_code: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    username: str | None = None,
    connection=None,
) -> None:
    """Append one entry. Inside a flush pass the flush's `connection`."""
    record_many(
        [entry(action, entity, entity_id, region_code, before, after, username)],
        connection=connection,
    )


def record_download(entity: str, entity_id, region_code: str | None, **details) -> None:
    """A file with register data left the console: who took what, committed at once."""
    record("report_downloaded", entity, entity_id, region_code=region_code or None, after=details)
    db.session.commit()


def record_many(entries: list[dict], connection=None) -> None:
    """Append several entries (made by `entry`) in one statement."""
    target = connection or db.session
    # Missing values are stored as SQL NULL, not as the JSON document `null`.
    groups: dict[tuple, list[dict]] = {}
    for values in entries:
        empty = tuple(name for name in ("before", "after") if values.get(name) is None)
        groups.setdefault(empty, []).append(
            {key: value for key, value in values.items() if key not in empty}
        )
    for empty, rows in groups.items():
        statement = sa.insert(AuditEntry.__table__)
        if empty:
            statement = statement.values({name: sa.null() for name in empty})
        target.execute(statement, rows)
